//! Shared by the benches that measure a process's first requests: each
//! round runs in a fresh child process (this bench again, `--child ...`).

use std::process::Command;

/// Runs this bench again with `--child` and `args`; the numbers it prints.
pub fn child_figures(args: &[&str]) -> Vec<f64> {
    let exe = std::env::current_exe().expect("the bench knows its own path");
    let out = Command::new(exe)
        .arg("--child")
        .args(args)
        .output()
        .expect("the child runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("the child prints numbers");
    text.split_whitespace()
        .map(|f| f.parse().expect("a number"))
        .collect()
}

pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
