import CrossingDevice
import CrossingEmulation
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("TCP link")
struct TCPLinkTests {
    /// A listening socket on 127.0.0.1 at a port the kernel picks.
    static func listener() throws -> (descriptor: Int32, port: UInt16) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        try #require(bound && listen(descriptor, 4) == 0)
        return (descriptor, UInt16(bigEndian: address.sin_port))
    }

    /// Polls `step` until it returns non-nil, for at most two seconds: the link never blocks.
    static func poll<T>(_ step: () throws -> T?) throws -> T? {
        for _ in 0..<2000 {
            if let value = try step() { return value }
            usleep(1000)
        }
        return nil
    }

    @Test("The link connects without blocking, sends, receives, and reports the peer closing")
    func roundTrip() throws {
        let (server, port) = try Self.listener()
        defer { close(server) }
        var link = try #require(TCPLink(url: "tcp://127.0.0.1:\(port)"))
        let state = try Self.poll { () throws -> LinkState? in
            let state = try link.connect()
            return state == .connected ? state : nil
        }
        #expect(state == .connected)
        let peer = accept(server, nil, nil)
        defer { close(peer) }
        let line = Array("crossings count=1i\n".utf8)
        #expect(try link.send(line.span) == line.count)
        var received = [UInt8](repeating: 0, count: 64)
        #expect(recv(peer, &received, 64, 0) == line.count)
        #expect(Array(received.prefix(line.count)) == line)
        _ = Array("ack 7\n".utf8).withUnsafeBytes { Glibc.send(peer, $0.baseAddress, $0.count, 0) }
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = try Self.poll { () throws -> Int? in
            var span = buffer.mutableSpan
            let count = try link.receive(into: &span)
            return count > 0 ? count : nil
        }
        #expect(count == 6 && Array(buffer.prefix(6)) == Array("ack 7\n".utf8))
        // Nothing waiting is 0, not a wait.
        var span = buffer.mutableSpan
        #expect(try link.receive(into: &span) == 0)
        shutdown(peer, Int32(SHUT_RDWR))
        let reset = try Self.poll { () -> LinkError? in
            var span = buffer.mutableSpan
            do throws(LinkError) {
                _ = try link.receive(into: &span)
                return nil
            } catch {
                return error
            }
        }
        #expect(reset == .reset)
        #expect(throws: LinkError.notConnected) { _ = try link.send(line.span) }
    }

    @Test("Faster than real time, the answers' wall times become the board's simulated time")
    func simulatedTime() {
        let wallNs: Int64 = 1_663_804_800_000_000_000 + 3_600_000_000_000
        #expect(TCPLink.translate(Array("ack 41 1764626400000000000".utf8), wallNs: wallNs) == Array("ack 41 \(wallNs)".utf8))
        #expect(TCPLink.translate(Array("Date: Tue, 01 Dec 2026 22:00:00 GMT\r".utf8), wallNs: wallNs)
            == Array("Date: Thu, 22 Sep 2022 01:00:00 GMT\r".utf8))
        #expect(TCPLink.translate(Array("nack bad-hmac".utf8), wallNs: wallNs) == Array("nack bad-hmac".utf8))
        #expect(TCPLink.translate(Array("HTTP/1.1 204 No Content\r".utf8), wallNs: wallNs) == Array("HTTP/1.1 204 No Content\r".utf8))
    }

    @Test("A port nobody listens on is refused, and a malformed target is no link")
    func refused() throws {
        let (server, port) = try Self.listener()
        close(server)
        var link = TCPLink(host: "127.0.0.1", port: port)
        let error = try Self.poll { () -> LinkError? in
            do throws(LinkError) {
                _ = try link.connect()
                return nil
            } catch {
                return error
            }
        }
        #expect(error == .refused)
        #expect(TCPLink(url: "http://127.0.0.1:80") == nil)
        #expect(TCPLink(url: "tcp://127.0.0.1") == nil)
        #expect(TCPLink(url: "tcp://:80") == nil)
    }
}
