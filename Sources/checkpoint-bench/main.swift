import CheckpointCLI
import Foundation

let program = "checkpoint-bench"
let help = """
    usage: checkpoint-bench <benchmark> [--json]

    Prints speed and memory figures. Build with -c release: debug figures mean nothing.

    benchmarks:
      core     the depth-grid counting core over a synthetic mixed stream (8x8 and 4x4)
      loops    the loop-pair detector over an hour of free-flowing traffic at 200 Hz
      encode   the line-protocol encoder over a million crossings lines

    Run 'checkpoint-bench <benchmark> --help' for its options.
    """

Command.dispatch(program: program, help: help, subcommands: ["core": CoreBench.main, "loops": LoopBench.main, "encode": EncodeBench.main])
