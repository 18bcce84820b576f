import CheckpointCLI
import Foundation

let program = "checkpoint-emu"
let help = """
    usage: checkpoint-emu <command> [options]

    Runs the counting firmware against emulated hardware and simulated scenes.

    commands:
      demo     simulate Verkhny Lars for an hour, count it, print counted against truth
      run      run the firmware on the emulated board, its sensors fed by a scenario
      score    simulate a scenario file, count it, report accuracy (and a baseline)
      suite    score every suite scenario over several seeds against its accuracy floor
      record   write a scenario's depth frames to a frame file, counting them on the device
      replay   run the device on a recorded frame file
      hil-serve  serve the HIL serial protocol on a pseudo-terminal

    Run 'checkpoint-emu <command> --help' for a command's options.
    """

Command.dispatch(program: program, help: help, subcommands: [
    "demo": Demo.main,
    "run": Run.main,
    "score": Score.main,
    "suite": Suite.main,
    "record": Record.main,
    "replay": Replay.main,
    "hil-serve": HILServe.main,
])
