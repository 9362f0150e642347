use clap::Parser;

fn main() {
    let cli = hallplan::cli::Cli::parse();
    match hallplan::run(cli) {
        Ok(()) => {}
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
