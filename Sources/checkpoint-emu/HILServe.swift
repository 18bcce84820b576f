import CheckpointCLI
import CrossingEmulation
import Foundation

/// `checkpoint-emu hil-serve`: the emulator as a HIL device on a pseudo-terminal.
enum HILServe {
    static let help = """
        usage: checkpoint-emu hil-serve --pty [--link PATH]

        Serves the HIL serial protocol (Hardware/hil-protocol.md) on a new pseudo-terminal, as a
        board port does on its UART: a runner sends a frame file's header and records, and the
        emulated device answers with its export lines and totals. Runs one after another until
        SIGINT or SIGTERM. Prints the terminal's path on the first line of stdout, and a summary
        when it stops.

          --pty        serve on a pseudo-terminal (the only transport so far)
          --link PATH  also make PATH a symbolic link to the terminal (removed on exit), so a
                       runner can be given a fixed name: Tools/hil-run --target serial:PATH
        """

    static func main(_ argumentList: [String]) {
        let (arguments, linkPath) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["link"], flagOptions: ["pty"]
        ) { arguments throws(UsageError) in
            guard arguments.flag("pty") else { throw UsageError("--pty is required: it is the only transport so far") }
            return arguments.value("link")
        }
        _ = arguments
        installInterruptHandler()
        let (master, path) = openPseudoTerminal()
        // Hold the terminal's other end open in raw mode: with no one holding it, reads of the
        // master fail between runners, and the line discipline would rewrite the bytes.
        let slave = open(path, O_RDWR | O_NOCTTY)
        guard slave >= 0 else { Terminal.fail(program, "\(path): \(String(cString: strerror(errno)))") }
        var settings = termios()
        tcgetattr(slave, &settings)
        cfmakeraw(&settings)
        tcsetattr(slave, TCSANOW, &settings)
        if let linkPath {
            unlink(linkPath)
            guard symlink(path, linkPath) == 0 else {
                Terminal.fail(program, "\(linkPath): cannot link to \(path): \(String(cString: strerror(errno)))")
            }
        }
        print(path)
        fflush(nil)
        var device = HILSerialDevice()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !interruptRequested.load(ordering: .relaxed) {
            var ready = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 200) > 0 else { continue }
            let count = read(master, &buffer, buffer.count)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard count > 0 else { Terminal.fail(program, "\(path): read failed: \(String(cString: strerror(errno)))") }
            let reply = device.receive(Array(buffer[0..<count]))
            var sent = 0
            while sent < reply.count {
                let wrote = reply[sent...].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
                if wrote < 0 && errno == EINTR { continue }
                guard wrote > 0 else { Terminal.fail(program, "\(path): write failed: \(String(cString: strerror(errno)))") }
                sent += wrote
            }
        }
        if let linkPath { unlink(linkPath) }
        Terminal.error("hil-serve: \(device.runsFinished) runs, \(device.refused) messages refused")
    }
}

/// A new pseudo-terminal: the master's descriptor and the path of its other end. Swift's Glibc
/// module has neither posix_openpt nor the pty ioctls' names, so this is what glibc's
/// posix_openpt, unlockpt and ptsname do, with the ioctl numbers of Linux's generic encoding.
private func openPseudoTerminal() -> (CInt, String) {
    let unlockRequest: UInt = 0x4004_5431  // TIOCSPTLCK
    let numberRequest: UInt = 0x8004_5430  // TIOCGPTN
    let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
    var locked: CInt = 0
    var number: CInt = 0
    guard master >= 0, ioctl(master, unlockRequest, &locked) == 0, ioctl(master, numberRequest, &number) == 0 else {
        Terminal.fail(program, "cannot open a pseudo-terminal: \(String(cString: strerror(errno)))")
    }
    return (master, "/dev/pts/\(number)")
}
