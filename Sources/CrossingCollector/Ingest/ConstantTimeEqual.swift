/// Whether two secrets (MACs, tokens) are equal, in time that depends on their length only, so
/// that a client cannot learn a correct prefix from how fast it is refused.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.count == b.count && zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}
