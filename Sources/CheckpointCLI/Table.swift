/// Renders rows as an aligned text table: text columns left-aligned, numbers right-aligned.
public func renderTable(headers: [String], rows: [[String]]) -> String {
    precondition(rows.allSatisfy { $0.count == headers.count })
    var widths = headers.map(\.count)
    for row in rows {
        for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
    }
    func isNumeric(_ cell: String) -> Bool {
        !cell.isEmpty && cell.allSatisfy { $0.isNumber || "-+.%".contains($0) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            let pad = String(repeating: " ", count: widths[index] - cell.count)
            return isNumeric(cell) ? pad + cell : cell + pad
        }.joined(separator: "  ")
    }
    let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
    return ([line(headers), rule] + rows.map(line)).joined(separator: "\n")
}
