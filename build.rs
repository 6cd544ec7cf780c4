//! Embeds the scenario catalog (`scenarios/*.toml`) in the library, so `enrollsim` can replay
//! it from any directory and library users get it without the source tree.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new("scenarios");
    println!("cargo:rerun-if-changed=scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|x| x == "toml"));
    files.sort();
    let mut out = String::from("/// The scenario files of the catalog: (file name, contents).\npub const BUILTIN_SCENARIOS: &[(&str, &str)] = &[\n");
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let abs = std::fs::canonicalize(f).unwrap_or_else(|_| f.clone());
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            abs.display().to_string()
        );
        println!("cargo:rerun-if-changed={}", f.display());
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()))
        .join("builtin_scenarios.rs");
    let _ = std::fs::write(target, out);
}
