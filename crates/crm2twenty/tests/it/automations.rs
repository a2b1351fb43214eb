//! `check` warns, without blocking, about the workspace's active workflows and webhooks (a bulk
//! import sets them off once per record), names them and says how to pause them; on both lines.

use crate::api::{KEY, members_of, run_api};
use crate::util::*;
use serde_json::json;
use twenty_sandbox::{Config, ProfileKind};

#[test]
fn check_warns_about_active_workflows_and_webhooks_without_blocking() {
    let ex = example("salesforce");
    let exs = ex.to_str().unwrap();
    for profile in [ProfileKind::Twenty2, ProfileKind::Twenty15] {
        let mut c = Config::for_tests(KEY);
        c.profile = profile;
        c.members = members_of(&ex);
        let id = |n: u8| format!("7a1d2c3b-4e5f-4a6b-8c7d-00000000000{n}");
        c.records = vec![
            (
                "workflows".into(),
                json!({"id": id(1), "name": "Welcome new contacts", "statuses": ["ACTIVE"],
                       "lastPublishedVersionId": id(2)}),
            ),
            (
                "workflowVersions".into(),
                json!({"id": id(2), "workflowId": id(1), "name": "v1", "status": "ACTIVE",
                       "trigger": {"type": "DATABASE_EVENT", "settings": {"eventName": "person.created"}}}),
            ),
            (
                "workflows".into(),
                json!({"id": id(3), "name": "Nightly digest", "statuses": ["ACTIVE"]}),
            ),
            (
                "workflowVersions".into(),
                json!({"id": id(4), "workflowId": id(3), "name": "v1", "status": "ACTIVE",
                       "trigger": {"type": "CRON", "settings": {"type": "DAYS"}}}),
            ),
            (
                "workflows".into(),
                json!({"id": id(5), "name": "Old draft", "statuses": ["DRAFT", "DEACTIVATED"]}),
            ),
        ];
        c.webhooks = vec![
            json!({"targetUrl": "https://hooks.example.com/crm?token=abc", "operations": ["*.*"],
                   "secret": "whsec-do-not-print"}),
        ];
        let sb = twenty_sandbox::spawn(c).unwrap();
        let url = sb.base_url();
        let tmp = tempfile::tempdir().unwrap();
        let o = run_api(
            &["check", exs, "--apply", "--yes", "--as-of", "2026-11-24"],
            tmp.path(),
            &url,
        );
        assert!(o.status.success(), "{profile:?}: {}", stderr(&o));
        // Once the workspace is ready, the warning is still there and check still passes.
        let o = run_api(&["check", exs, "--as-of", "2026-11-24"], tmp.path(), &url);
        assert_eq!(o.status.code(), Some(0), "{profile:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("automations the import can set off (they do not stop it)"),
            "{err}"
        );
        assert!(
            err.contains("workflow \"Welcome new contacts\": active, record event person.created, runs once per person the import writes"),
            "{err}"
        );
        assert!(
            err.contains(
                "workflow \"Nightly digest\": active, schedule (not set off by the import)"
            ),
            "{err}"
        );
        assert!(!err.contains("Old draft"), "{err}");
        assert!(
            err.contains("webhook https://hooks.example.com/crm (query hidden): operations *.*, called for the records the import writes"),
            "{err}"
        );
        assert!(
            !err.contains("token=abc") && !err.contains("whsec"),
            "{err}"
        );
        assert!(err.contains("deactivate it"), "{err}");
        assert!(err.contains("Settings → APIs & Webhooks"), "{err}");
        assert!(
            err.contains("has every object, field and option the import needs"),
            "{err}"
        );
        // Import runs all the same.
        let o = run_api(
            &[
                "import",
                exs,
                "--as-of",
                "2026-11-24",
                "--state",
                "st.sqlite",
            ],
            tmp.path(),
            &url,
        );
        assert!(o.status.success(), "{profile:?}: {}", stderr(&o));
    }
}
