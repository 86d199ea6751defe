fn main() -> std::process::ExitCode {
    zhianbao::cli::main()
}
