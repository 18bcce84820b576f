import CheckpointCLI
import Foundation

let program = "checkpoint-collector"
let help = """
    usage: checkpoint-collector <command> [options]

    The host collector for checkpoint counters: durable, deduplicated ingest from many devices,
    reports with the queue and the wait, and a relay to a larger store.

    commands:
      serve    take device batches (TCP) and InfluxDB writes (HTTP), store them durably
      report   totals per interval by class and direction, queue and wait: table, CSV, JSON, SVG
      lint     check InfluxDB line protocol, line by line, before it is sent
      verify   check the store's snapshot and log for damage, read-only
      export   a day's open data: a CSV per site and a README.txt data dictionary

    Run 'checkpoint-collector <command> --help' for a command's options.
    """

Command.dispatch(program: program, help: help, subcommands: [
    "serve": Serve.main, "report": ReportCommand.main, "lint": Lint.main, "verify": Verify.main, "export": ExportCommand.main,
])
