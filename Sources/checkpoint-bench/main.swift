import CheckpointCLI
import Foundation

let program = "checkpoint-bench"
let help = """
    usage: checkpoint-bench <benchmark> [--json]

    Prints speed and memory figures. Build with -c release: debug figures mean nothing.

    benchmarks:
      core       the depth-grid counting core over a synthetic mixed stream (8x8 and 4x4),
                 and ST's two-zone baseline on the same frames
      loops      the loop-pair detector over an hour of free-flowing traffic at 200 Hz
      encode     the line-protocol encoder over a million crossings lines
      sha256     the device's SHA-256, MB/s
      collector  the collector: parser, durable ingest, TCP from 1, 10 and 100 devices
      fleet      the collector with 100, 1,000 and 10,000 devices connected, 100 sending
      emulator   Verkhny Lars end to end: sensors, firmware, TCP, collector
      peers      InfluxDB, VictoriaMetrics and our collector, the same lines over HTTP
      report-load  the slowest ack while reports over a year run beside full ingest

    Run 'checkpoint-bench <benchmark> --help' for its options.
    """

Command.dispatch(program: program, help: help, subcommands: [
        "core": CoreBench.main, "loops": LoopBench.main, "encode": EncodeBench.main, "sha256": HashBench.main,
        "collector": CollectorBench.main, "fleet": FleetBench.main, "emulator": EmulatorBench.main, "peers": PeersBench.main,
        "report-load": ReportLoadBench.main,
    ])
