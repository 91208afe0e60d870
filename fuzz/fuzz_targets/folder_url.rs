//! The folder of a `file://` shared cache URL: never panics; an accepted
//! folder is absolute, not the root, and has no NUL and no `..` component
//! (as `std::path` splits it, whatever escapes spelled it).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::{Component, Path};

fuzz_target!(|path: &str| {
    if let Some(folder) = mcauth::fuzzing::folder_url(path) {
        assert!(folder.starts_with('/'), "{path:?}: {folder:?}");
        assert!(!folder.contains('\0'), "{path:?}");
        let components: Vec<Component> = Path::new(&folder).components().collect();
        assert!(
            !components.contains(&Component::ParentDir),
            "{path:?}: {folder:?}"
        );
        assert!(components.len() > 1, "{path:?} names the root: {folder:?}");
    }
});
