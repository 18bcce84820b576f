import Foundation

/// Who an HTTP write comes from: `Authorization: Token DEVICE:TOKEN` (as InfluxDB 1.x takes
/// `Token USER:PASSWORD`) or `Basic` with the same pair, the token in hex: the device's write
/// token (`DeviceKeys.writeToken`), never its key.
enum HTTPAuth {
    static func device(_ request: HTTPRequest, keys: DeviceKeys) -> Result<String, AuthError> {
        guard let header = request.header("authorization") else {
            return .failure(AuthError("no Authorization header: send 'Authorization: Token DEVICE:TOKEN'"))
        }
        var credentials: String
        if header.hasPrefix("Token ") {
            credentials = String(header.dropFirst(6))
        } else if header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))) {
            credentials = String(decoding: data, as: UTF8.self)
        } else {
            return .failure(AuthError("unable to parse authentication credentials"))
        }
        credentials = credentials.trimmingCharacters(in: .whitespaces)
        guard let colon = credentials.firstIndex(of: ":") else { return .failure(AuthError("unable to parse authentication credentials")) }
        let device = String(credentials[..<colon])
        guard let sent = DeviceKeys.hexBytes(credentials[credentials.index(after: colon)...]), keys.accepts(token: sent, for: device)
        else { return .failure(AuthError("authorization failed for '\(device)'")) }
        return .success(device)
    }

    struct AuthError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
