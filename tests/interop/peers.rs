//! Finding and running the peers: their binaries, free loopback ports, temporary folders, child
//! processes killed when the test ends (even by a failed assertion) and waits that end.

use std::fs::File;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Where the peers are when `ENROLLSIM_PEERS` does not say: the shared folder beside the
/// workspace.
const DEFAULT_PEERS: &str = "../shared/peers/bin";

/// The folder holding `nanomdm`, `scepserver` and `mdmb`. A relative `ENROLLSIM_PEERS` is read
/// from the workspace root.
pub fn peers_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
    match std::env::var_os("ENROLLSIM_PEERS") {
        Some(dir) => workspace.join(dir),
        None => workspace.join(DEFAULT_PEERS),
    }
}

/// The path of peer `name`; fails the test (never skips it) when it is not there.
pub fn peer(name: &str) -> PathBuf {
    let path = peers_dir().join(name);
    assert!(
        path.is_file(),
        "interop peer `{name}` not found at {}: set ENROLLSIM_PEERS to the folder holding \
         nanomdm, scepserver and mdmb (see README, \"Interop tests\")",
        path.display()
    );
    path
}

/// The enrollsim binary under test.
pub fn enrollsim() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_enrollsim"))
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Calls `ready` every 50 ms until it gives a value; fails the test after `limit`.
pub fn wait_for<T>(what: &str, limit: Duration, mut ready: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = ready() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "gave up after {} s waiting for {what}",
            limit.as_secs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until something accepts connections on `127.0.0.1:port`.
pub fn wait_listening(what: &str, port: u16) {
    wait_for(what, Duration::from_secs(20), || {
        TcpStream::connect(("127.0.0.1", port)).ok()
    });
}

/// A child process whose output goes to a log file; killed when dropped.
pub struct Running {
    child: Child,
    name: String,
    log: PathBuf,
}

impl Running {
    /// Starts `command` with its stdout and stderr in `log`.
    pub fn start(name: &str, command: &mut Command, log: &Path) -> Running {
        let out = File::create(log).expect("a log file");
        let err = out.try_clone().expect("a log file");
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("{name} does not start: {e}"));
        Running {
            child,
            name: name.to_string(),
            log: log.to_path_buf(),
        }
    }

    /// Everything it printed so far.
    pub fn output(&self) -> String {
        read_lossy(&self.log)
    }

    /// Waits for it to end, at most `limit`; fails the test (killing it) after that.
    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let name = self.name.clone();
        let child = &mut self.child;
        let status = wait_for(&format!("{name} to finish"), limit, || {
            child.try_wait().expect("waits")
        });
        status
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs `command` to its end (at most `limit`) with its output in `log`; its status and
/// output.
pub fn run(name: &str, command: &mut Command, log: &Path, limit: Duration) -> (ExitStatus, String) {
    let mut running = Running::start(name, command, log);
    let status = running.wait(limit);
    (status, running.output())
}

/// A file's text, invalid UTF-8 replaced.
pub fn read_lossy(path: &Path) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut file) = File::open(path) {
        let _ = file.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
