import CrossingCollector

/// libFuzzer target: the pages' request targets (`/`, `/site/NAME`, `/export/DAY.zip`, with
/// any query) on any bytes, read by the HTTP reader, parsed, and drawn from a small ledger.
/// A target is refused with a reason or answered: 200 with a body, or 404.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPageRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let target = Array(UnsafeBufferPointer(start: data, count: size))
    let reader = HTTPRequestReader(headerBytesMax: 4096, bodyBytesMax: 0)
    guard let (request, _) = try? reader.next(Array("GET ".utf8) + target + Array(" HTTP/1.1\r\n\r\n".utf8), from: 0) else { return 0 }
    do throws(ReportError) {
        guard let page = try PageRequest(path: request.path, query: request.query) else { return 0 }
        let answer = try page.answer(ledger: ledger, sites: SiteConfig(), nowS: 1_663_840_000)
        precondition(answer.status == 404 || answer.status == 200 && !answer.body.isEmpty, "an empty page")
    } catch {
        precondition(!error.description.isEmpty, "a refusal without a reason")
    }
    return 0
}

/// Two sites, one with a name that needs escaping everywhere it appears.
let ledger: Ledger = {
    var ledger = Ledger()
    let body = Array(#"""
        crossings,site=verkhny-lars,device=vl-1,lane=walkway,class=pedestrian,direction=outbound count=41i,seq=1i 1663837200000000000
        crossings,site=<a\ href="x">&amp;,device=d\,2,lane=w,class=car,direction=unknown count=2i,seq=1i 1663750800000000000

        """#.utf8)
    ledger.apply(body, receivedNs: 1_663_837_200_000_000_000)
    return ledger
}()
