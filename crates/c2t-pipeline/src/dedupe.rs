//! De-duplication: records of one object that share a normalised key become one record.
//!
//! Keys: the source id (a row exported twice), the primary email for people, the registrable
//! domain for companies, and — for companies, when `fuzzy_merge` is on — near-identical names
//! (Jaro-Winkler on name fingerprints, compared only inside blocks sharing a prefix). Two records
//! whose keys differ (two emails, two domains) are never merged, whatever their names say.
//!
//! Survivorship: the most recently modified record wins; its empty fields are filled from the
//! others, most recent first; emails, phones and links the others add are kept as additional
//! values. Every merge is returned with its rule, so the ledger can say which rows went where.

use crate::record::{Key, Obj, Record, Val};
use crate::store::Store;
use c2t_core::Settings;
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::collections::hash_map::Entry;

/// A record folded into another.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    pub survivor: usize,
    pub rule: String,
}

struct Clusters<'k> {
    parent: Vec<usize>,
    /// The cluster's identity key (email or domain), when it has one.
    key: Vec<Option<&'k str>>,
}

impl Clusters<'_> {
    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins the clusters of a and b unless their keys conflict. Returns whether they joined.
    fn union(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        match (&self.key[ra], &self.key[rb]) {
            (Some(x), Some(y)) if x != y => return false,
            _ => {}
        }
        let k = self.key[ra].or(self.key[rb]);
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[hi] = lo;
        self.key[lo] = k;
        true
    }
}

/// The identity key of a record: primary email for people, registrable domain for companies.
/// An email is borrowed from the record when it is already lowercase (cleaned emails are), so
/// keying a million people allocates nothing.
pub fn identity_key(r: &Record) -> Option<Cow<'_, str>> {
    match r.object.as_str() {
        "person" => r.primary_email().map(c2t_normalize::text::lower),
        "company" => r
            .domain_url()
            .and_then(|u| c2t_normalize::domain::domain(u).ok())
            .map(|d| Cow::Owned(d.key)),
        _ => None,
    }
}

/// Fuzzy name matching compares every pair of companies inside a block; a block with more
/// members than this is not compared at all (its cost would be quadratic).
pub const BLOCK_CAP: usize = 2_000;

/// A block of company names too large for fuzzy matching: its members were matched on exact keys
/// only (source id, domain), never on similar names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedBlock {
    /// The first three characters of the name fingerprints the block shares.
    pub prefix: String,
    pub records: usize,
}

/// Finds duplicates among `alive` records (indexes into `records`). Returns, for each merged-away
/// record, its survivor and the rule that matched.
pub fn find_merges(
    records: &[Record],
    alive: &[usize],
    settings: &Settings,
) -> HashMap<usize, Merge> {
    find_merges_reporting(records, alive, settings).0
}

/// [`find_merges`], and the blocks of company names too large to compare (sorted by prefix).
pub fn find_merges_reporting(
    records: &[Record],
    alive: &[usize],
    settings: &Settings,
) -> (HashMap<usize, Merge>, Vec<SkippedBlock>) {
    let (merges, skipped, _) =
        find_merges_checked(records, alive, settings, &|_, _| None, &|_| false);
    (merges, skipped)
}

/// Two companies whose names are alike but whose other evidence differs (phones, cities):
/// reported, not merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PossibleDuplicate {
    pub a: usize,
    pub b: usize,
    /// The names' likeness and what differs.
    pub why: String,
}

/// [`find_merges_reporting`], where a merge by name needs the evidence to agree: `disagree(a, b)`
/// says what differs between two records (different phones, different cities), and such pairs
/// are returned as possible duplicates instead of merged. Exact keys (source id, email, domain)
/// merge as before.
pub fn find_merges_checked(
    records: &[Record],
    alive: &[usize],
    settings: &Settings,
    disagree: &(dyn Fn(usize, usize) -> Option<String> + Sync),
    completes: &(dyn Fn(usize) -> bool + Sync),
) -> (
    HashMap<usize, Merge>,
    Vec<SkippedBlock>,
    Vec<PossibleDuplicate>,
) {
    let mut possible = Vec::new();
    let mut skipped = Vec::new();
    let n = records.len();
    let keys: Vec<Option<Cow<str>>> = crate::par::map(records, identity_key);
    let mut cl = Clusters {
        parent: (0..n).collect(),
        key: keys.iter().map(Option::as_deref).collect(),
    };
    let mut rule_of: HashMap<usize, String> = HashMap::default();
    let join = |cl: &mut Clusters,
                a: usize,
                b: usize,
                rule: &str,
                rule_of: &mut HashMap<usize, String>| {
        if cl.find(a) != cl.find(b) && cl.union(a, b) {
            rule_of.entry(b).or_insert_with(|| rule.to_string());
            rule_of.entry(a).or_insert_with(|| rule.to_string());
        }
    };
    // Exact keys: the first record of each object with each source id and identity key (one
    // map per object, keyed by the borrowed string: 24 bytes an entry). The id maps and the key
    // maps are filled on two threads, each giving the (first, later) pairs it found in record
    // order; the pairs are then joined here in the order one loop over the records would.
    fn firsts<'k>(
        records: &'k [Record],
        alive: &[usize],
        key: impl Fn(usize) -> Option<&'k str>,
    ) -> Vec<(u32, u32)> {
        let mut per_object: HashMap<&str, usize> = HashMap::default();
        for &i in alive {
            if key(i).is_some() {
                *per_object.entry(records[i].object.as_str()).or_default() += 1;
            }
        }
        let mut first_of: HashMap<&str, HashMap<&str, u32>> = per_object
            .into_iter()
            .map(|(o, n)| (o, HashMap::with_capacity_and_hasher(n, Default::default())))
            .collect();
        let mut pairs = Vec::new();
        for &i in alive {
            let Some(k) = key(i) else { continue };
            let map = first_of
                .get_mut(records[i].object.as_str())
                .expect("every object with keys has a map");
            match map.entry(k) {
                Entry::Occupied(first) => pairs.push((*first.get(), i as u32)),
                Entry::Vacant(v) => {
                    v.insert(i as u32);
                }
            }
        }
        pairs
    }
    let by_id = |i: usize| records[i].source_id.as_deref();
    let by_key = |i: usize| keys[i].as_deref();
    let (id_pairs, key_pairs) = std::thread::scope(|s| {
        let ids = s.spawn(|| firsts(records, alive, by_id));
        let key_pairs = firsts(records, alive, by_key);
        (ids.join().expect("dedupe thread"), key_pairs)
    });
    let mut key_pairs = key_pairs.into_iter().peekable();
    let mut join_keys_until =
        |cl: &mut Clusters, rule_of: &mut HashMap<usize, String>, end: u32| {
            while let Some((first, i)) = key_pairs.next_if(|&(_, i)| i < end) {
                let rule = if records[i as usize].object == "person" {
                    "same email"
                } else {
                    "same domain"
                };
                join(cl, first as usize, i as usize, rule, rule_of);
            }
        };
    for (first, i) in id_pairs {
        // A record's key pair comes after its id pair, as both come after earlier records'.
        join_keys_until(&mut cl, &mut rule_of, i);
        join(
            &mut cl,
            first as usize,
            i as usize,
            "same source id",
            &mut rule_of,
        );
    }
    join_keys_until(&mut cl, &mut rule_of, u32::MAX);
    // Fuzzy company names, blocked by the fingerprint's first three characters.
    if settings.fuzzy_merge {
        let companies: Vec<usize> = alive
            .iter()
            .copied()
            .filter(|&i| records[i].object == "company")
            .collect();
        let fingerprints = crate::par::map(&companies, |&i| {
            let name = records[i].lookup.str("name")?;
            let fp = c2t_normalize::name::fingerprint(name);
            let chars = fp.chars().count();
            if chars < 3 {
                return None;
            }
            let block: String = fp.chars().take(3).collect();
            let counts = char_counts(&fp);
            Some((block, (i, fp, chars, counts)))
        });
        let mut blocks: HashMap<String, Vec<BlockMember>> = HashMap::default();
        for (block, member) in fingerprints.into_iter().flatten() {
            blocks.entry(block).or_default().push(member);
        }
        // The blocks are compared on two threads, the largest first (a block's cost grows with
        // the square of its size); their matches are joined here, in the map's order.
        let blocks: Vec<(&String, &Vec<BlockMember>)> = blocks.iter().collect();
        let mut largest_first: Vec<usize> = (0..blocks.len()).collect();
        largest_first.sort_unstable_by_key(|&b| (std::cmp::Reverse(blocks[b].1.len()), b));
        let mut matches: Vec<Option<Vec<(usize, usize, f64)>>> = vec![None; blocks.len()];
        let found = crate::par::map_uneven(&largest_first, |&b| {
            let members = blocks[b].1;
            (members.len() <= BLOCK_CAP).then(|| matching_pairs(members, settings.fuzzy_threshold))
        });
        for (&b, pairs) in largest_first.iter().zip(found) {
            matches[b] = pairs;
        }
        for ((prefix, members), pairs) in blocks.iter().zip(matches) {
            let Some(pairs) = pairs else {
                skipped.push(SkippedBlock {
                    prefix: prefix.to_string(),
                    records: members.len(),
                });
                continue;
            };
            for (x, y, score) in pairs {
                let (a, fa, _, _) = &members[x];
                let (b, fb, _, _) = &members[y];
                let rule = if fa == fb {
                    "same name".to_string()
                } else {
                    format!("similar name ({score:.2})")
                };
                if let Some(differs) = disagree(*a, *b) {
                    possible.push(PossibleDuplicate {
                        a: *a,
                        b: *b,
                        why: format!("{rule}, but {differs}"),
                    });
                    continue;
                }
                join(&mut cl, *a, *b, &rule, &mut rule_of);
            }
        }
    }
    // Survivors: the most recently modified member of each cluster (the first row on a tie).
    // Only clusters of two or more are kept (most records are alone in theirs).
    let roots: Vec<usize> = alive.iter().map(|&i| cl.find(i)).collect();
    let mut size = vec![0u32; n];
    for &r in &roots {
        size[r] += 1;
    }
    let mut clusters: HashMap<usize, Vec<usize>> = HashMap::default();
    for (&i, &root) in alive.iter().zip(&roots) {
        if size[root] > 1 {
            clusters.entry(root).or_default().push(i);
        }
    }
    let mut merges = HashMap::default();
    for members in clusters.values() {
        if members.len() < 2 {
            continue;
        }
        // A row that only completes another record (`completes`) never survives it.
        let survivor = *members
            .iter()
            .max_by(|&&a, &&b| {
                let ma = records[a].modified.as_deref().unwrap_or("");
                let mb = records[b].modified.as_deref().unwrap_or("");
                (!completes(a))
                    .cmp(&!completes(b))
                    .then(ma.cmp(mb))
                    .then(b.cmp(&a))
            })
            .expect("cluster is not empty");
        for &m in members {
            if m != survivor {
                let rule = rule_of
                    .get(&m)
                    .cloned()
                    .unwrap_or_else(|| "duplicate".into());
                merges.insert(m, Merge { survivor, rule });
            }
        }
    }
    skipped.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    possible.sort_by_key(|p| (p.a, p.b));
    (merges, skipped, possible)
}

/// A member of a block of company names: record, name fingerprint, its length in characters and
/// its character counts.
type BlockMember = (usize, String, usize, CharCounts);

/// The pairs of a block whose names match (`score >= threshold`), as `(x, y, score)` with
/// `x < y` positions in `members`, in the order a double loop over the block finds them (the
/// order clusters are joined in matters when keys conflict).
///
/// Names whose lengths differ by more than a tenth never match, so with a positive threshold
/// each name is compared only with names of about its length (sorted by length), not with the
/// whole block.
fn matching_pairs(members: &[BlockMember], threshold: f64) -> Vec<(usize, usize, f64)> {
    let score = |x: usize, y: usize| -> f64 {
        let ((_, fa, ca, ha), (_, fb, cb, hb)) = (&members[x], &members[y]);
        if fa == fb {
            1.0
        } else if threshold > 0.0 && too_far(ha, hb, (*ca).max(*cb)) {
            0.0
        } else {
            similarity(fa, *ca, fb, *cb, threshold)
        }
    };
    let mut out = Vec::new();
    if threshold <= 0.0 {
        for x in 0..members.len() {
            for y in x + 1..members.len() {
                let s = score(x, y);
                if s >= threshold {
                    out.push((x, y, s));
                }
            }
        }
        return out;
    }
    let mut by_len: Vec<usize> = (0..members.len()).collect();
    by_len.sort_by_key(|&x| (members[x].2, x));
    for (k, &x) in by_len.iter().enumerate() {
        let cx = members[x].2;
        for &y in &by_len[k + 1..] {
            // Well past a tenth longer (the exact test is in `similarity`): no more matches.
            if members[y].2 as f64 * 0.9 > cx as f64 + 1.0 {
                break;
            }
            let (lo, hi) = if x < y { (x, y) } else { (y, x) };
            let s = score(lo, hi);
            if s >= threshold {
                out.push((lo, hi, s));
            }
        }
    }
    out.sort_by_key(|&(x, y, _)| (x, y));
    out
}

/// How many times each character occurs in a name, in 64 buckets (characters sharing a bucket
/// are counted together; counts stop at 255), and which buckets are not empty (one bit each).
#[derive(Debug, Clone, PartialEq, Eq)]
struct CharCounts {
    counts: [u8; 64],
    present: u64,
}

fn char_counts(s: &str) -> CharCounts {
    let mut counts = [0u8; 64];
    let mut present = 0u64;
    for c in s.chars() {
        let at = (c as usize) % 64;
        counts[at] = counts[at].saturating_add(1);
        present |= 1 << at;
    }
    CharCounts { counts, present }
}

/// True when the edit distance of two names is certainly too large for [`similarity`] to score
/// them (normalised Levenshtein < 0.9), from their character counts alone: each edit changes at
/// most two counts by one, so the distance is at least half the counts' total difference. Shared
/// buckets and capped counts only lower that bound, so the answer is never wrong, and it spares
/// the Jaro-Winkler of most pairs in a block.
///
/// The buckets one name fills and the other does not are a smaller bound still (each differs in
/// count by one at least), found in one instruction: most pairs of a block are ruled out by it
/// before their counts are compared.
fn too_far(a: &CharCounts, b: &CharCounts, longest: usize) -> bool {
    let out_of_reach = |diff: u32| {
        let at_least = diff.div_ceil(2);
        longest > 0 && 1.0 - f64::from(at_least) / (longest as f64) < 0.9
    };
    if out_of_reach((a.present ^ b.present).count_ones()) {
        return true;
    }
    let diff: u32 = a
        .counts
        .iter()
        .zip(&b.counts)
        .map(|(&x, &y)| u32::from(x.abs_diff(y)))
        .sum();
    out_of_reach(diff)
}

/// The score of two different name fingerprints (`ca`, `cb`: their lengths in characters):
/// Jaro-Winkler when their edit distance is typo-level (normalised Levenshtein ≥ 0.9), else 0.
/// Jaro-Winkler alone rewards a shared prefix too much (`swiftdale builders` vs `swiftleaf
/// builders` scores 0.97), hence the edit distance as well.
///
/// Whether the score reaches `threshold` is all that counts below it, so the work stops as soon
/// as it cannot: a length difference alone can put the edit distance out of reach (the distance
/// is at least the difference, and is computed last, only for the rare pairs that pass).
fn similarity(fa: &str, ca: usize, fb: &str, cb: usize, threshold: f64) -> f64 {
    if threshold <= 0.0 {
        // Every pair matches: the score itself is the answer.
        return if strsim::normalized_levenshtein(fa, fb) < 0.9 {
            0.0
        } else {
            strsim::jaro_winkler(fa, fb)
        };
    }
    let longest = ca.max(cb);
    if longest > 0 && 1.0 - (ca.abs_diff(cb) as f64) / (longest as f64) < 0.9 {
        return 0.0;
    }
    let jw = strsim::jaro_winkler(fa, fb);
    if jw < threshold || strsim::normalized_levenshtein(fa, fb) < 0.9 {
        return 0.0;
    }
    jw
}

/// Folds the merged-away records into their survivors: empty values filled, additional emails,
/// phones and links kept, references the survivor lacks taken over. The survivors' values are
/// read from `store` and written back to it.
pub fn apply(
    records: &mut [Record],
    store: &mut Store,
    merges: &HashMap<usize, Merge>,
) -> std::io::Result<()> {
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::default();
    for (&m, merge) in merges {
        groups.entry(merge.survivor).or_default().push(m);
    }
    // In record order, so the store's layout does not depend on hashing.
    let mut groups: Vec<(usize, Vec<usize>)> = groups.into_iter().collect();
    groups.sort_unstable_by_key(|(s, _)| *s);
    for (survivor, mut others) in groups {
        // Most recent first, so the freshest value fills a gap.
        others.sort_by(|&a, &b| {
            let ma = records[a].modified.as_deref().unwrap_or("");
            let mb = records[b].modified.as_deref().unwrap_or("");
            mb.cmp(ma).then(a.cmp(&b))
        });
        let mut values = store.get(records[survivor].stored);
        for o in others {
            let other = records[o].clone();
            for (k, v) in store.get(other.stored).iter() {
                fill(values.get_or_insert_with(k, || Val::Null), v, k);
            }
            let s = &mut records[survivor];
            for r in other.refs {
                let have = s.refs.iter().any(|x| x.field == r.field);
                if r.field == "targets" || !have {
                    s.refs.push(r);
                }
            }
            if s.activity.is_none() || other.activity.as_deref() > s.activity.as_deref() {
                s.activity = other.activity.clone().or(s.activity.clone());
            }
        }
        let s = &mut records[survivor];
        s.lookup = crate::record::Lookup::of(&values);
        s.stored = store.put(&values)?;
        s.filled = crate::filled::mask(crate::record::intern(&s.object), &values);
    }
    Ok(())
}

/// Fills empty parts of `dst` from `src`; unions multi-valued parts of composite fields.
fn fill(dst: &mut Val, src: &Val, field: Key) {
    if dst.is_empty() {
        *dst = src.clone();
        return;
    }
    let (Val::Obj(d), Val::Obj(s)) = (dst, src) else {
        return;
    };
    match field {
        "emails" => {
            let primary = d.get("primaryEmail").cloned();
            let mut extra: Vec<Val> = d
                .get("additionalEmails")
                .and_then(Val::as_list)
                .map(<[Val]>::to_vec)
                .unwrap_or_default();
            let mut candidates: Vec<Val> = Vec::new();
            if let Some(p) = s.get("primaryEmail") {
                candidates.push(p.clone());
            }
            candidates.extend(
                s.get("additionalEmails")
                    .and_then(Val::as_list)
                    .map(<[Val]>::to_vec)
                    .unwrap_or_default(),
            );
            for c in candidates {
                if !c.is_empty() && Some(&c) != primary.as_ref() && !extra.contains(&c) {
                    extra.push(c);
                }
            }
            d.set("additionalEmails", Val::List(extra));
        }
        "phones" => {
            let primary = d.get("primaryPhoneNumber").cloned();
            let mut extra: Vec<Val> = d
                .get("additionalPhones")
                .and_then(Val::as_list)
                .map(<[Val]>::to_vec)
                .unwrap_or_default();
            let mut candidates: Vec<Val> = Vec::new();
            if let Some(num) = s.get("primaryPhoneNumber").filter(|v| !v.is_empty()) {
                candidates.push(Val::Obj(Obj::from_pairs([
                    ("number", num.clone()),
                    (
                        "countryCode",
                        s.get("primaryPhoneCountryCode")
                            .cloned()
                            .unwrap_or(Val::Null),
                    ),
                    (
                        "callingCode",
                        s.get("primaryPhoneCallingCode")
                            .cloned()
                            .unwrap_or(Val::Null),
                    ),
                ])));
            }
            candidates.extend(
                s.get("additionalPhones")
                    .and_then(Val::as_list)
                    .map(<[Val]>::to_vec)
                    .unwrap_or_default(),
            );
            for c in candidates {
                let num = c.get("number").cloned();
                if num != primary && !extra.iter().any(|x| x.get("number") == num.as_ref()) {
                    extra.push(c);
                }
            }
            d.set("additionalPhones", Val::List(extra));
        }
        _ => {
            for (k, v) in s.iter() {
                let slot = d.get_or_insert_with(k, || Val::Null);
                if slot.is_empty() {
                    *slot = v.clone();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// The score as it was computed before any shortcut.
    fn reference(fa: &str, fb: &str) -> f64 {
        if strsim::normalized_levenshtein(fa, fb) < 0.9 {
            0.0
        } else {
            strsim::jaro_winkler(fa, fb)
        }
    }

    proptest! {
        #[test]
        fn shortcuts_never_change_a_match(
            fa in "[abcé ]{3,24}",
            fb in "[abcé ]{3,24}",
            threshold in prop::sample::select(vec![0.0, 0.5, 0.9, 0.95, 0.99, 1.0]),
        ) {
            prop_assume!(fa != fb);
            let want = reference(&fa, &fb);
            let got = super::similarity(&fa, fa.chars().count(), &fb, fb.chars().count(), threshold);
            prop_assert_eq!(got >= threshold, want >= threshold);
            if want >= threshold {
                prop_assert_eq!(got, want);
            }
        }
    }

    proptest! {
        /// The character-count shortcut only ever rules out pairs whose edit distance is out
        /// of reach (letters sharing a bucket, `a`/`!`, `é`/`)`, included on purpose).
        #[test]
        fn char_counts_never_rule_out_a_near_pair(
            fa in "[abcé!) ]{0,30}",
            fb in "[abcé!) ]{0,30}",
        ) {
            let longest = fa.chars().count().max(fb.chars().count());
            if super::too_far(&super::char_counts(&fa), &super::char_counts(&fb), longest) {
                prop_assert!(strsim::normalized_levenshtein(&fa, &fb) < 0.9);
            }
        }
    }

    proptest! {
        /// Comparing names of about the same length only finds the same pairs, in the same
        /// order, as comparing every pair.
        #[test]
        fn matching_pairs_equal_every_pair(
            names in prop::collection::vec("[ab]{1,3}( [ab]{0,3})?( acme)?", 0..40),
            threshold in prop::sample::select(vec![0.0, 0.5, 0.8, 0.9, 0.95, 1.0]),
        ) {
            let members: Vec<super::BlockMember> = names
                .iter()
                .enumerate()
                .map(|(i, n)| (i, n.clone(), n.chars().count(), super::char_counts(n)))
                .collect();
            let mut every = Vec::new();
            for x in 0..members.len() {
                for y in x + 1..members.len() {
                    let (fa, fb) = (&members[x].1, &members[y].1);
                    let s = if fa == fb { 1.0 } else { reference(fa, fb) };
                    if s >= threshold {
                        every.push((x, y));
                    }
                }
            }
            let got: Vec<(usize, usize)> = super::matching_pairs(&members, threshold)
                .into_iter()
                .map(|(x, y, _)| (x, y))
                .collect();
            prop_assert_eq!(got, every);
        }
    }

    #[test]
    fn char_counts_rule_out_far_pairs() {
        let c = super::char_counts;
        assert!(super::too_far(&c("acme robotics"), &c("zenith foods"), 13));
        assert!(!super::too_far(&c("acme robotics"), &c("acme robotic"), 13));
        // Same letters in another order: counts cannot tell, the full score decides.
        assert!(!super::too_far(&c("abcdefghij"), &c("jihgfedcba"), 10));
    }

    #[test]
    fn near_names_still_match() {
        let (a, b) = ("acme robotics", "acme robotic");
        let s = super::similarity(a, 13, b, 12, 0.95);
        assert!(s >= 0.95, "{s}");
        assert_eq!(s, reference(a, b));
        assert_eq!(
            super::similarity("swiftdale builders", 18, "swiftleaf builders", 18, 0.95),
            0.0
        );
    }
}
