import CheckpointCLI
import Foundation

let program = "checkpoint-collector"
let help = """
    usage: checkpoint-collector <command> [options]

    The host collector for checkpoint counters. So far: the line-protocol checker.

    commands:
      lint     check InfluxDB line protocol, line by line, before it is sent

    Run 'checkpoint-collector <command> --help' for a command's options.
    """

Command.dispatch(program: program, help: help, subcommands: ["lint": Lint.main])
