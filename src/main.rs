// A page allocates hundreds of small strings and rows; mimalloc serves them with less CPU than
// the system allocator (docs/benchmarks.md, tenth part).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    zhianbao::cli::main()
}
