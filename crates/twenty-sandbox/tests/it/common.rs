//! Test helpers: start a sandbox, talk to it over HTTP.

use serde_json::{Value, json};
use twenty_sandbox::{Config, ProfileKind, SandboxHandle};

pub const KEY: &str = "test-key";

/// A started sandbox plus a client for it.
pub struct Sandbox {
    pub handle: SandboxHandle,
    pub agent: ureq::Agent,
}

/// Answer of one request.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub retry_after: Option<String>,
    pub content_type: Option<String>,
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

pub fn start(profile: ProfileKind) -> Sandbox {
    let mut config = Config::for_tests(KEY);
    config.profile = profile;
    start_with(config)
}

pub fn start_with(config: Config) -> Sandbox {
    Sandbox {
        handle: twenty_sandbox::spawn(config).expect("sandbox starts"),
        agent: agent(),
    }
}

impl Sandbox {
    pub fn url(&self, path: &str) -> String {
        let encoded = path
            .replace('"', "%22")
            .replace('[', "%5B")
            .replace(']', "%5D")
            .replace(' ', "%20");
        format!("{}{}", self.handle.base_url(), encoded)
    }

    /// Sends a request with the right key; `Err` when the connection failed (drop faults).
    pub fn try_call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Result<Answer, ureq::Error> {
        let url = self.url(path);
        let auth = key.map(|k| format!("Bearer {k}"));
        let mut resp = match (method, body) {
            ("GET" | "DELETE", _) => {
                let mut req = if method == "GET" {
                    self.agent.get(&url)
                } else {
                    self.agent.delete(&url)
                };
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.call()?
            }
            (_, body) => {
                let text = body.map(Value::to_string).unwrap_or_default();
                let mut req = match method {
                    "POST" => self.agent.post(&url),
                    "PATCH" => self.agent.patch(&url),
                    "PUT" => self.agent.put(&url),
                    other => panic!("unsupported method {other}"),
                };
                req = req.header("Content-Type", "application/json");
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.send(text)?
            }
        };
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|h| h.to_str().ok())
            .map(String::from);
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|h| h.to_str().ok())
            .map(String::from);
        let text = resp.body_mut().read_to_string()?;
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok(Answer {
            status,
            body,
            retry_after,
            content_type,
        })
    }

    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        self.try_call(method, path, body, Some(KEY))
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub fn get(&self, path: &str) -> Answer {
        self.call("GET", path, None)
    }

    pub fn post(&self, path: &str, body: Value) -> Answer {
        self.call("POST", path, Some(&body))
    }

    pub fn patch(&self, path: &str, body: Value) -> Answer {
        self.call("PATCH", path, Some(&body))
    }

    /// Batch-creates and returns the created records (asserting 201).
    pub fn create(&self, plural: &str, rows: Value) -> Vec<Value> {
        let a = self.post(&format!("/rest/batch/{plural}"), rows);
        assert_eq!(a.status, 201, "create {plural}: {}", a.body);
        let map = a.body["data"].as_object().expect("data object");
        assert_eq!(map.len(), 1);
        map.values()
            .next()
            .and_then(Value::as_array)
            .cloned()
            .expect("array")
    }

    pub fn stats(&self) -> Value {
        self.try_call("GET", "/sandbox/stats", None, None)
            .expect("stats")
            .body
    }
}

/// First message of an error body.
pub fn message(body: &Value) -> String {
    body["messages"][0]
        .as_str()
        .or(body["message"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// A company row with a domain.
pub fn company(name: &str, domain: &str) -> Value {
    json!({"name": name, "domainName": {"primaryLinkUrl": domain}})
}

/// A person row with an e-mail.
pub fn person(first: &str, email: &str) -> Value {
    json!({"name": {"firstName": first, "lastName": "Test"}, "emails": {"primaryEmail": email}})
}
