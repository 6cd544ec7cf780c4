//! The simulated device logs the way iOS logs, read by the parser that reads real logs: every
//! line of every catalog scenario's device log is in a console shape that parser recognises
//! (a syslog relay line or a field of an `NSError` dump), every logged error carries an Apple
//! domain and code, and `enrollsim diagnose --log FILE` works with the log alone, on a real
//! public excerpt (the article's own `XPC_TYPE_ERROR` lines, quoted from Microsoft Learn,
//! CC BY 4.0) and on a `log show` line.

use std::process::Command;

use enrollsim::diagnostics::{console_line_shape, ConsoleShape};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_catalog_device_log_line_parses_as_an_ios_console_line() {
    let scenarios = enrollsim::catalog::builtin().expect("catalog loads");
    let mut bad = Vec::new();
    let mut lines = 0;
    let mut dumps = 0;
    for s in scenarios.iter() {
        let report = enrollsim::run_scenario(s).await.expect("world starts");
        let Some(log) = report.evidence.device_log.as_deref() else {
            continue;
        };
        for (n, line) in log.lines().enumerate() {
            lines += 1;
            match console_line_shape(line) {
                Some(ConsoleShape::Syslog) => {}
                Some(ConsoleShape::NsErrorField) => {
                    if line.trim_start().starts_with("Domain :") {
                        dumps += 1;
                        let code = log.lines().nth(n + 1).unwrap_or("");
                        let domain = line.split(':').nth(1).unwrap_or("").trim();
                        if !domain.ends_with("ErrorDomain")
                            || !code.trim_start().starts_with("Code   : ")
                        {
                            bad.push(format!("{}:{}: {line} / {code}", s.id, n + 1));
                        }
                    }
                }
                other => bad.push(format!("{}:{}: {other:?}: {line}", s.id, n + 1)),
            }
        }
    }
    assert!(lines > 100, "only {lines} lines");
    assert!(dumps > 0, "no scenario logged an NSError");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn diagnose_log(text: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("device.log");
    std::fs::write(&path, text).expect("write log");
    let out = Command::new(env!("CARGO_BIN_EXE_enrollsim"))
        .args(["diagnose", "--json", "--log"])
        .arg(&path)
        .output()
        .expect("the enrollsim binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON diagnosis")
}

#[test]
fn diagnose_reads_a_log_alone() {
    let article = "mobileassetd[83] <Notice>: 0x1a49aebc0 Client connection: XPC_TYPE_ERROR Connection invalid <error: 0x1a49aebc0> { count = 1, transaction: 0, voucher = 0x0, contents = \"XPCErrorDescription\" => <string: 0x1a49aee18> { length = 18, contents = \"Connection invalid\" } }\niPhone mobileassetd[83] <Notice>: Client connection invalid (Connection invalid); terminating connection\n";
    let d = diagnose_log(article);
    assert_eq!(d["section"], "xpc_type_error-connection-invalid", "{d:#}");

    // A `log show` line is a device log, not the Company Portal's (both start with a year).
    let log_show = "2023-08-28 10:19:48.845 Df mdmclient[3270:3694b] [com.apple.ManagedClient:MDMAgent] Installed configuration profile: Test05 (Source: Manual)\n";
    let d = diagnose_log(log_show);
    assert!(d["section"].is_null(), "{d:#}");
}
