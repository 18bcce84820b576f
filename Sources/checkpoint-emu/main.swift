import CheckpointCLI
import Foundation

let program = "checkpoint-emu"
let help = """
    usage: checkpoint-emu <command> [options]

    Runs the counting firmware against emulated hardware and simulated scenes.

    commands:
      demo     simulate Verkhny Lars for an hour, count it, print counted against truth
      score    simulate a scenario file, count it, report accuracy (and a baseline)
      suite    score every suite scenario over several seeds against its accuracy floor

    Run 'checkpoint-emu <command> --help' for a command's options.
    """

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "demo":
    Demo.main(Array(arguments.dropFirst()))
case "score":
    Score.main(Array(arguments.dropFirst()))
case "suite":
    Suite.main(Array(arguments.dropFirst()))
case "-h", "--help", "help":
    print(help)
case nil:
    Terminal.error(help)
    exit(2)
case let other?:
    Terminal.fail(program, "unknown command '\(other)'", usage: true)
}
