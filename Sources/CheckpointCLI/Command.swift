import Foundation

/// The shared front of every subcommand: `--help`, option parsing, and exit 2 on misuse.
public enum Command {
    /// Parses a subcommand's options and reads them with `read`. `--help` or `-h` prints `help`
    /// and exits 0; an unknown option, a positional argument (unless `operands`, then they are
    /// `Arguments.operands`) or a bad value prints the reason on stderr and exits 2.
    public static func parse<Options>(
        _ list: [String], program: String, help: String, valueOptions: Set<String>, flagOptions: Set<String>,
        operands: Bool = false, read: (Arguments) throws(UsageError) -> Options
    ) -> (arguments: Arguments, options: Options) {
        if list.contains("--help") || list.contains("-h") {
            print(help)
            exit(0)
        }
        do throws(UsageError) {
            let arguments = try Arguments(list, valueOptions: valueOptions, flagOptions: flagOptions)
            if !operands, let extra = arguments.positional.first { throw UsageError("unexpected argument '\(extra)'") }
            return (arguments, try read(arguments))
        } catch {
            Terminal.fail(program, error.message, usage: true)
        }
    }

    /// Runs the subcommand named by the first argument. No argument prints `help` to stderr and
    /// exits 2; `--help`, `-h` or `help` prints it and exits 0.
    public static func dispatch(program: String, help: String, subcommands: [String: ([String]) -> Void]) {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first else {
            Terminal.error(help)
            exit(2)
        }
        if ["-h", "--help", "help"].contains(name) {
            print(help)
            return
        }
        guard let run = subcommands[name] else { Terminal.fail(program, "unknown command '\(name)'", usage: true) }
        run(Array(arguments.dropFirst()))
    }
}
