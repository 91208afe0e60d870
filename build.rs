//! Generates include/mcauth.h: cbindgen writes the functions and types of
//! src/ffi/ (mod.rs, tokens.rs, calls.rs), and this script writes the `mc_status` enum from
//! src/status_list.rs, the one list of statuses and their texts. The file
//! is written only when its content changed, so that a plain build never
//! dirties the work tree or triggers rebuilds of C code that includes it.

use std::fmt::Write as _;
use std::path::PathBuf;

/// Turns the list into (C name, value, text) triples.
macro_rules! statuses {
    ($($rust:ident = $c:ident = $value:literal : $text:literal;)*) => {
        const STATUSES: &[(&str, i32, &str)] = &[$((stringify!($c), $value, $text)),*];
    };
}
include!("src/status_list.rs");

/// The files that hold the exports.
const FFI_SOURCES: [&str; 3] = ["src/ffi/mod.rs", "src/ffi/tokens.rs", "src/ffi/calls.rs"];

fn status_enum() -> String {
    let mut c = String::from(
        "\n// Outcome of a call: mc_status_str() gives the text beside each value,\n\
         // mc_last_error() the detail of this thread's last failure. The values\n\
         // are fixed forever: new ones are only appended.\n\
         typedef enum mc_status {\n",
    );
    for (name, value, text) in STATUSES {
        let (first, rest) = text.split_at(1);
        let first = first.to_ascii_uppercase();
        writeln!(c, "  // {first}{rest}.\n  {name} = {value},").expect("writing to a String");
    }
    c.push_str("} mc_status;\n");
    c
}

fn main() {
    for file in FFI_SOURCES {
        println!("cargo:rerun-if-changed={file}");
    }
    println!("cargo:rerun-if-changed=src/status_list.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut config = cbindgen::Config::from_file(root.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable and valid");
    config.after_includes = Some(status_enum());
    // cbindgen follows mod.rs's `pub mod` declarations to the other files.
    let header = cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/ffi/mod.rs"))
        .generate()
        .expect("cbindgen can parse src/ffi/");
    let mut generated = Vec::new();
    header.write(&mut generated);
    let path = root.join("include/mcauth.h");
    if std::fs::read(&path).ok().as_deref() != Some(generated.as_slice()) {
        std::fs::create_dir_all(root.join("include")).expect("include/ can be created");
        std::fs::write(&path, &generated).expect("include/mcauth.h can be written");
    }
}
