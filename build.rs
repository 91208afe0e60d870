//! Generates include/mcauth.h from src/ffi.rs with cbindgen, writing the file
//! only when its content changed so that a plain build never dirties the
//! work tree or triggers rebuilds of C code that includes it.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=src/ffi.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable and valid");
    let header = cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/ffi.rs"))
        .generate()
        .expect("cbindgen can parse src/ffi.rs");
    let mut generated = Vec::new();
    header.write(&mut generated);
    let path = root.join("include/mcauth.h");
    if std::fs::read(&path).ok().as_deref() != Some(generated.as_slice()) {
        std::fs::create_dir_all(root.join("include")).expect("include/ can be created");
        std::fs::write(&path, &generated).expect("include/mcauth.h can be written");
    }
}
