//! `bosun`: the console server and its administration commands.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = bosun::cli::Cli::parse();
    bosun::logging::init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bosun: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(bosun::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bosun: {e}");
            ExitCode::from(2)
        }
    }
}
