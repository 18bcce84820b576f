import CheckpointCLI
import Foundation

let program = "checkpoint-bench"
let help = """
    usage: checkpoint-bench <benchmark> [--json]

    Prints speed and memory figures. Build with -c release: debug figures mean nothing.

    benchmarks:
      core     the depth-grid counting core over a synthetic mixed stream (8x8 and 4x4)

    Run 'checkpoint-bench <benchmark> --help' for its options.
    """

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "core":
    CoreBench.main(Array(arguments.dropFirst()))
case "-h", "--help", "help":
    print(help)
case nil:
    Terminal.error(help)
    exit(2)
case let other?:
    Terminal.fail(program, "unknown benchmark '\(other)'", usage: true)
}
