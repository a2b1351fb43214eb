//! Workspace members: who owners and assignees become. Members come from the mapping's
//! `[[member]]` table, from a `--members` file (CSV or JSON of first name, last name, email) and
//! from the CRM's own user export (mapped to `workspaceMember`), and are found by email, by
//! full name, or by the source CRM's user id.

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub first_name: String,
    pub last_name: String,
    /// Shared by every link to the member ([`crate::link::Target::Member`]).
    pub email: Arc<str>,
}

/// Members, searchable by email, name and source user id.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub members: Vec<Member>,
    by_name: HashMap<String, Vec<usize>>,
    by_email: HashMap<String, usize>,
    by_source_id: HashMap<String, usize>,
    /// Members read from the workspace itself ([`Directory::add_workspace`]).
    in_workspace: Vec<bool>,
}

fn name_key(s: &str) -> String {
    let folded = deunicode_lower(s);
    let mut parts: Vec<&str> = folded.split_whitespace().collect();
    parts.retain(|p| !p.is_empty());
    parts.join(" ")
}

fn deunicode_lower(s: &str) -> String {
    c2t_normalize::name::person_key(s, "")
}

impl Directory {
    /// Adds a member (an email seen twice is kept once); `source_id` is the CRM's user id.
    ///
    /// A member of the CRM (its user export, a members file) who has the full name of exactly one
    /// member of the workspace but another email is that workspace member: owners are found in
    /// the workspace by name, then by email.
    pub fn add(&mut self, m: Member, source_id: Option<&str>) {
        let email = m.email.trim().to_lowercase();
        let full = format!("{} {}", m.first_name, m.last_name);
        let key = name_key(&full);
        let named_in_workspace = || match self.by_name.get(&key).map(Vec::as_slice) {
            Some(list) => {
                let mut ws = list.iter().filter(|&&i| self.in_workspace[i]);
                match (ws.next(), ws.next()) {
                    (Some(&i), None) => Some(i),
                    _ => None,
                }
            }
            None => None,
        };
        let idx = match self
            .by_email
            .get(&email)
            .copied()
            .or_else(named_in_workspace)
        {
            Some(i) => i,
            None => {
                let i = self.members.len();
                self.by_name.entry(key).or_default().push(i);
                self.members.push(Member {
                    email: email.as_str().into(),
                    ..m
                });
                self.in_workspace.push(false);
                self.by_email.insert(email, i);
                i
            }
        };
        if let Some(id) = source_id.filter(|s| !s.is_empty()) {
            self.by_source_id.insert(id.to_string(), idx);
        }
    }

    /// Adds a member read from the workspace. Add them before the CRM's own members, so those
    /// are matched to them by name.
    pub fn add_workspace(&mut self, m: Member) {
        let before = self.members.len();
        self.add(m, None);
        if self.members.len() > before {
            self.in_workspace[before] = true;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub fn by_email(&self, email: &str) -> Option<&Member> {
        self.by_email
            .get(&email.trim().to_lowercase())
            .map(|&i| &self.members[i])
    }

    pub fn by_source_id(&self, id: &str) -> Option<&Member> {
        self.by_source_id.get(id.trim()).map(|&i| &self.members[i])
    }

    /// The member with that full name; `Err(n)` when n > 1 members share it.
    pub fn by_name(&self, name: &str) -> Result<Option<&Member>, usize> {
        match self.by_name.get(&name_key(name)).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([i]) => Ok(Some(&self.members[*i])),
            Some(many) => Err(many.len()),
        }
    }

    /// Reads a members file: CSV with first name / last name / email columns (any order, any
    /// usual header spelling, or one `name` column), or a JSON array of
    /// `{"name":{"firstName","lastName"},"userEmail"}` / `{"firstName","lastName","email"}`.
    pub fn load_file(&mut self, path: &Path) -> Result<usize, String> {
        let before = self.members.len();
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if is_json {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let v: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not valid JSON: {e}", path.display()))?;
            let arr = v
                .as_array()
                .ok_or_else(|| format!("{}: expected a JSON array of members", path.display()))?;
            for (i, m) in arr.iter().enumerate() {
                let s = |v: Option<&serde_json::Value>| {
                    v.and_then(|x| x.as_str()).unwrap_or("").to_string()
                };
                let first = s(m.pointer("/name/firstName").or(m.get("firstName")));
                let last = s(m.pointer("/name/lastName").or(m.get("lastName")));
                let email = s(m.get("userEmail").or(m.get("email")));
                if email.is_empty() {
                    return Err(format!("{}: member {} has no email", path.display(), i + 1));
                }
                self.add(
                    Member {
                        first_name: first,
                        last_name: last,
                        email: email.into(),
                    },
                    None,
                );
            }
        } else {
            let source = c2t_ingest::Source::open(path, &c2t_ingest::ReadOptions::default())
                .map_err(|e| e.to_string())?;
            let norm = crate::detect::header_key;
            let find = |names: &[&str]| {
                source
                    .headers
                    .iter()
                    .position(|h| names.contains(&norm(h).as_str()))
            };
            let email_i = find(&[
                "email",
                "emailaddress",
                "useremail",
                "mail",
                "courriel",
                "adresseemail",
                "emailadresse",
                "correoelectronico",
                "correo",
                "postaelettronica",
                "emailadres",
            ])
            .ok_or_else(|| {
                format!(
                    "{}: no email column (headers: {})",
                    path.display(),
                    source.headers.join(", ")
                )
            })?;
            let first_i = find(&[
                "firstname",
                "first",
                "givenname",
                "prenom",
                "vorname",
                "nombre",
                "nome",
                "voornaam",
            ]);
            let last_i = find(&[
                "lastname",
                "last",
                "surname",
                "familyname",
                "nom",
                "nachname",
                "apellidos",
                "apellido",
                "cognome",
                "sobrenome",
                "achternaam",
            ]);
            let name_i = find(&["name", "fullname", "nomcomplet", "vollstandigername"]);
            for row in source {
                let row =
                    row.map_err(|r| format!("{}: line {}: {}", path.display(), r.line, r.reason))?;
                let cell = |i: Option<usize>| {
                    i.and_then(|i| row.cells.get(i))
                        .map(|s| s.trim().to_string())
                        .unwrap_or_default()
                };
                let (mut first, mut last) = (cell(first_i), cell(last_i));
                if first.is_empty() && last.is_empty() {
                    (first, last) = c2t_normalize::name::split_full_name(&cell(name_i));
                }
                let email = cell(Some(email_i));
                if email.is_empty() {
                    continue;
                }
                self.add(
                    Member {
                        first_name: first,
                        last_name: last,
                        email: email.into(),
                    },
                    None,
                );
            }
        }
        Ok(self.members.len() - before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(first: &str, last: &str, email: &str) -> Member {
        Member {
            first_name: first.into(),
            last_name: last.into(),
            email: email.into(),
        }
    }

    /// Owners named as the CRM names them are found among the workspace's members: by full name
    /// (accents and case aside), and a CRM user with a member's name is that member.
    #[test]
    fn crm_users_are_the_workspace_members_of_the_same_name() {
        let mut d = Directory::default();
        d.add_workspace(m("Ada", "Lovelace", "ada@example.com"));
        d.add_workspace(m("Alan", "Turing", "alan@example.com"));
        d.add(
            m("Ada", "Lovelace", "ada.lovelace@old-crm.example"),
            Some("005A"),
        );
        d.add(m("Grace", "Hopper", "grace@old-crm.example"), Some("005B"));
        assert_eq!(d.members.len(), 3);
        assert_eq!(&*d.by_source_id("005A").unwrap().email, "ada@example.com");
        assert_eq!(
            &*d.by_name("ada LOVELACE").unwrap().unwrap().email,
            "ada@example.com"
        );
        assert_eq!(
            &*d.by_source_id("005B").unwrap().email,
            "grace@old-crm.example"
        );
        // Without workspace members, two people of one name stay two (and ambiguous).
        let mut d = Directory::default();
        d.add(m("Ada", "Lovelace", "a@x.example"), None);
        d.add(m("Ada", "Lovelace", "b@x.example"), None);
        assert_eq!(d.by_name("Ada Lovelace"), Err(2));
    }
}
