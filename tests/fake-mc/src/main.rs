//! `fake-mc [--ca-out PATH]`: runs the fake Marketing Cloud for tests in other languages
//! (through `tests/with-fake-mc.sh`). Prints one line with its addresses on stdout, then serves
//! until killed.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use fake_mc::FakeMc;

const USAGE: &str = "usage: fake-mc [--ca-out PATH]";

struct Args {
    ca_out: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { ca_out: None };
    let mut it = std::env::args_os().skip(1);
    while let Some(arg) = it.next() {
        match arg.to_str() {
            Some("--ca-out") => {
                let path = it.next().ok_or("--ca-out needs a path")?;
                args.ca_out = Some(PathBuf::from(path));
            }
            Some("-h" | "--help") => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("fake-mc: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let started = match &args.ca_out {
        Some(path) => FakeMc::start_with_ca_file(path),
        None => FakeMc::start(),
    };
    let fake = match started {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("fake-mc: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let line = format!(
        "fake-mc http={} https={} proxy={} ca={}",
        fake.http_url(),
        fake.https_url(),
        fake.proxy_url(),
        fake.ca_file().display()
    );
    let mut stdout = io::stdout().lock();
    if let Err(e) = writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
        eprintln!("fake-mc: cannot write to stdout: {e}");
        return ExitCode::FAILURE;
    }
    drop(stdout);
    loop {
        std::thread::park();
    }
}
