//! Reading and writing a bundle directory.
//!
//! The manifest is the only hard requirement: without a readable `bundle.json` there is no
//! bundle, and [`BundleError`] names the file. Every other part can be broken without stopping
//! the diagnosis: a missing file, invalid JSON, a binary or non-UTF-8 log, or a path that leaves
//! the bundle directory becomes a [`BundleProblem`] naming the part, and the part is left out.

use std::fmt;
use std::fs;
use std::path::{Component, Path, PathBuf};

use serde::de::DeserializeOwned;
use thiserror::Error;

use super::{EvidenceBundle, FileMap, Manifest, FORMAT};

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "bundle.json";

/// Parts larger than this are not read.
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

/// A bundle read from disk, with the problems met on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadBundle {
    /// The parts that could be read.
    pub bundle: EvidenceBundle,
    /// The parts that could not, each naming the part and what was wrong.
    pub problems: Vec<BundleProblem>,
}

/// A bundle that cannot be read or written at all.
#[derive(Debug, Error)]
pub enum BundleError {
    /// There is no `bundle.json`.
    #[error("{}: missing manifest (every evidence bundle needs bundle.json)", path.display())]
    MissingManifest {
        /// The path looked at.
        path: PathBuf,
    },
    /// `bundle.json` exists but cannot be read.
    #[error("{}: cannot read the manifest: {source}", path.display())]
    ManifestUnreadable {
        /// The manifest's path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `bundle.json` is not a valid manifest.
    #[error("{}: invalid manifest at line {line}, column {column}: {message}", path.display())]
    InvalidManifest {
        /// The manifest's path.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// `bundle.json` declares a format this version does not read.
    #[error("{}: unsupported format {found:?} (expected {FORMAT:?})", path.display())]
    UnsupportedFormat {
        /// The manifest's path.
        path: PathBuf,
        /// The declared format.
        found: String,
    },
    /// Writing a file of the bundle failed.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The file being written.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// The optional parts of a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// `device.log`.
    DeviceLog,
    /// `company-portal.log`.
    CompanyPortalLog,
    /// `tenant.json`.
    Tenant,
    /// `enrollment-events.json`.
    EnrollmentEvents,
    /// `sign-ins.json`.
    SignIns,
    /// `company-portal-devices.json` (collected by the user).
    CompanyPortalDevices,
}

impl Part {
    /// All parts, in manifest order.
    pub const ALL: [Part; 6] = [
        Part::DeviceLog,
        Part::CompanyPortalLog,
        Part::Tenant,
        Part::EnrollmentEvents,
        Part::SignIns,
        Part::CompanyPortalDevices,
    ];

    /// The default file name, also used to name the part in messages and evidence.
    pub fn file_name(self) -> &'static str {
        match self {
            Part::DeviceLog => "device.log",
            Part::CompanyPortalLog => "company-portal.log",
            Part::Tenant => "tenant.json",
            Part::EnrollmentEvents => "enrollment-events.json",
            Part::SignIns => "sign-ins.json",
            Part::CompanyPortalDevices => "company-portal-devices.json",
        }
    }

    fn entry(self, files: &FileMap) -> Option<&String> {
        match self {
            Part::DeviceLog => files.device_log.as_ref(),
            Part::CompanyPortalLog => files.company_portal_log.as_ref(),
            Part::Tenant => files.tenant.as_ref(),
            Part::EnrollmentEvents => files.enrollment_events.as_ref(),
            Part::SignIns => files.sign_ins.as_ref(),
            Part::CompanyPortalDevices => files.company_portal_devices.as_ref(),
        }
    }

    fn entry_mut(self, files: &mut FileMap) -> &mut Option<String> {
        match self {
            Part::DeviceLog => &mut files.device_log,
            Part::CompanyPortalLog => &mut files.company_portal_log,
            Part::Tenant => &mut files.tenant,
            Part::EnrollmentEvents => &mut files.enrollment_events,
            Part::SignIns => &mut files.sign_ins,
            Part::CompanyPortalDevices => &mut files.company_portal_devices,
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_name())
    }
}

/// A part that could not be read; the diagnosis goes on without it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{part} ({}): {kind}", path.display())]
pub struct BundleProblem {
    /// Which part.
    pub part: Part,
    /// The path the manifest (or the default) named, relative to the bundle directory.
    pub path: PathBuf,
    /// What was wrong.
    pub kind: ProblemKind,
}

/// What was wrong with a part.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProblemKind {
    /// The manifest names a file that does not exist.
    #[error("file named by the manifest is missing")]
    Missing,
    /// The file exists but cannot be read.
    #[error("cannot read: {message}")]
    Unreadable {
        /// The I/O error, as text.
        message: String,
    },
    /// The JSON does not parse or does not have the expected shape.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    InvalidJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// A log is not UTF-8 text.
    #[error("not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// A log looks binary (NUL bytes or mostly control characters).
    #[error("binary content where a text log was expected")]
    Binary,
    /// The path is absolute or climbs out of the bundle directory.
    #[error("path escapes the bundle directory")]
    EscapesBundle,
    /// The file is larger than this reader accepts.
    #[error("file too large ({bytes} bytes, limit {limit})")]
    TooLarge {
        /// Its size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
}

impl EvidenceBundle {
    /// Reads a bundle directory. A missing or unreadable manifest is an error; any other broken
    /// part is reported in [`ReadBundle::problems`] and left out.
    pub fn read_dir(dir: impl AsRef<Path>) -> Result<ReadBundle, BundleError> {
        let dir = dir.as_ref();
        let manifest = read_manifest(dir)?;
        let mut problems = Vec::new();
        let mut bundle = EvidenceBundle {
            manifest,
            ..EvidenceBundle::default()
        };
        let files = bundle.manifest.files.clone();
        for part in Part::ALL {
            let named = part.entry(&files);
            let rel = named
                .cloned()
                .unwrap_or_else(|| part.file_name().to_string());
            let bytes = match load(dir, &rel, named.is_some()) {
                Ok(Some(bytes)) => bytes,
                Ok(None) => continue,
                Err(kind) => {
                    problems.push(BundleProblem {
                        part,
                        path: PathBuf::from(&rel),
                        kind,
                    });
                    continue;
                }
            };
            if let Err(kind) = bundle.set_part(part, &bytes) {
                problems.push(BundleProblem {
                    part,
                    path: PathBuf::from(&rel),
                    kind,
                });
            }
        }
        Ok(ReadBundle { bundle, problems })
    }

    /// Writes the bundle to a directory (created if needed): `bundle.json` plus one file per
    /// present part, under the manifest's file names when they are safe, else the defaults.
    /// The written manifest's `files` map names exactly the parts written.
    pub fn write_dir(&self, dir: impl AsRef<Path>) -> Result<(), BundleError> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(|source| BundleError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut manifest = self.manifest.clone();
        for part in Part::ALL {
            let Some(bytes) = self.part_bytes(part) else {
                *part.entry_mut(&mut manifest.files) = None;
                continue;
            };
            let rel = part
                .entry(&self.manifest.files)
                .filter(|rel| safe_relative(rel))
                .cloned()
                .unwrap_or_else(|| part.file_name().to_string());
            write_file(&dir.join(&rel), &bytes)?;
            *part.entry_mut(&mut manifest.files) = Some(rel);
        }
        write_file(&dir.join(MANIFEST_FILE), &to_json(&manifest))
    }

    fn set_part(&mut self, part: Part, bytes: &[u8]) -> Result<(), ProblemKind> {
        match part {
            Part::DeviceLog => self.device_log = Some(text(bytes)?),
            Part::CompanyPortalLog => self.company_portal_log = Some(text(bytes)?),
            Part::Tenant => self.tenant = Some(json(bytes)?),
            Part::EnrollmentEvents => self.enrollment_events = Some(json(bytes)?),
            Part::SignIns => self.sign_ins = Some(json(bytes)?),
            Part::CompanyPortalDevices => self.company_portal_devices = Some(json(bytes)?),
        }
        Ok(())
    }

    fn part_bytes(&self, part: Part) -> Option<Vec<u8>> {
        match part {
            Part::DeviceLog => self.device_log.as_ref().map(|s| s.as_bytes().to_vec()),
            Part::CompanyPortalLog => self
                .company_portal_log
                .as_ref()
                .map(|s| s.as_bytes().to_vec()),
            Part::Tenant => self.tenant.as_ref().map(to_json),
            Part::EnrollmentEvents => self.enrollment_events.as_ref().map(to_json),
            Part::SignIns => self.sign_ins.as_ref().map(to_json),
            Part::CompanyPortalDevices => self.company_portal_devices.as_ref().map(to_json),
        }
    }
}

fn read_manifest(dir: &Path) -> Result<Manifest, BundleError> {
    let path = dir.join(MANIFEST_FILE);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(BundleError::MissingManifest { path });
        }
        Err(source) => return Err(BundleError::ManifestUnreadable { path, source }),
    };
    let manifest: Manifest =
        serde_json::from_slice(strip_bom(&bytes)).map_err(|e| BundleError::InvalidManifest {
            path: path.clone(),
            line: e.line(),
            column: e.column(),
            message: json_message(&e),
        })?;
    if manifest.format != FORMAT {
        return Err(BundleError::UnsupportedFormat {
            path,
            found: manifest.format,
        });
    }
    Ok(manifest)
}

/// Loads one part: `Ok(None)` when an unnamed default file is simply absent.
fn load(dir: &Path, rel: &str, named: bool) -> Result<Option<Vec<u8>>, ProblemKind> {
    if !safe_relative(rel) {
        return Err(ProblemKind::EscapesBundle);
    }
    let path = dir.join(rel);
    let meta = match fs::metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return if named {
                Err(ProblemKind::Missing)
            } else {
                Ok(None)
            };
        }
        Err(e) => {
            return Err(ProblemKind::Unreadable {
                message: e.to_string(),
            })
        }
    };
    // A symbolic link inside the bundle may still point outside it.
    if let (Ok(root), Ok(target)) = (fs::canonicalize(dir), fs::canonicalize(&path)) {
        if !target.starts_with(&root) {
            return Err(ProblemKind::EscapesBundle);
        }
    }
    if !meta.is_file() {
        return Err(ProblemKind::Unreadable {
            message: "not a regular file".to_string(),
        });
    }
    if meta.len() > MAX_PART_BYTES {
        return Err(ProblemKind::TooLarge {
            bytes: meta.len(),
            limit: MAX_PART_BYTES,
        });
    }
    fs::read(&path)
        .map(Some)
        .map_err(|e| ProblemKind::Unreadable {
            message: e.to_string(),
        })
}

/// A relative path made only of normal components (no `..`, no root, not empty).
fn safe_relative(rel: &str) -> bool {
    let path = Path::new(rel);
    !rel.is_empty()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        && path.components().any(|c| matches!(c, Component::Normal(_)))
}

fn text(bytes: &[u8]) -> Result<String, ProblemKind> {
    let bytes = strip_bom(bytes);
    if looks_binary(bytes) {
        return Err(ProblemKind::Binary);
    }
    std::str::from_utf8(bytes)
        .map(str::to_string)
        .map_err(|e| ProblemKind::NotUtf8 {
            offset: e.valid_up_to(),
        })
}

/// NUL bytes, or more than one control character in ten, in the first 8 KiB.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x1b))
        .count();
    !head.is_empty() && control * 10 > head.len()
}

fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ProblemKind> {
    serde_json::from_slice(strip_bom(bytes)).map_err(|e| ProblemKind::InvalidJson {
        line: e.line(),
        column: e.column(),
        message: json_message(&e),
    })
}

/// serde_json's message without its trailing " at line L column C".
fn json_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes)
}

fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // Serializing these plain data types cannot fail (string keys, no custom serializers).
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    out
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), BundleError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|source| BundleError::Write {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    fs::write(path, bytes).map_err(|source| BundleError::Write {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_relative_paths() {
        assert!(safe_relative("device.log"));
        assert!(safe_relative("logs/device.log"));
        assert!(safe_relative("./device.log"));
        assert!(!safe_relative("../device.log"));
        assert!(!safe_relative("logs/../../x"));
        assert!(!safe_relative("/etc/passwd"));
        assert!(!safe_relative(""));
        assert!(!safe_relative("."));
    }

    #[test]
    fn binary_and_text() {
        assert_eq!(text(b"a\x00b"), Err(ProblemKind::Binary));
        assert_eq!(text(&[0x01, 0x02, 0x03, b'a']), Err(ProblemKind::Binary));
        assert_eq!(text(b"ok\xff"), Err(ProblemKind::NotUtf8 { offset: 2 }));
        assert_eq!(text(b"\xEF\xBB\xBFline\r\n").unwrap(), "line\r\n");
    }

    #[test]
    fn json_problems_carry_position() {
        let r: Result<Vec<u32>, _> = json(b"[1,\n 2,,]");
        match r {
            Err(ProblemKind::InvalidJson {
                line,
                column,
                message,
            }) => {
                assert_eq!(line, 2);
                assert!(column > 0);
                assert!(!message.contains("at line"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
