/// Byte-wise equality of two static strings, without building a `String` (which allocates).
func staticStringsEqual(_ lhs: StaticString, _ rhs: StaticString) -> Bool {
    lhs.withUTF8Buffer { left in
        rhs.withUTF8Buffer { right in
            guard left.count == right.count else { return false }
            for index in 0..<left.count where left[index] != right[index] { return false }
            return true
        }
    }
}
