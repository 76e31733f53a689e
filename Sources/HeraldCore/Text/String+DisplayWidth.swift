extension String {
    /// Columns the text takes in a terminal: East Asian wide and fullwidth characters
    /// (Chinese, 【】, fullwidth punctuation) take two, combining marks none, the rest one.
    /// Covers the ranges Herald's texts use; not a full UAX #11 table.
    public var displayWidth: Int {
        unicodeScalars.reduce(0) { width, scalar in
            let value = scalar.value
            if scalar.properties.generalCategory == .nonspacingMark { return width }
            let wide = (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value) || (0xAC00...0xD7A3).contains(value)
                || (0xF900...0xFAFF).contains(value) || (0xFE30...0xFE4F).contains(value) || (0xFF00...0xFF60).contains(value)
                || (0xFFE0...0xFFE6).contains(value) || (0x1F300...0x1FAFF).contains(value) || (0x20000...0x3FFFD).contains(value)
            return width + (wide ? 2 : 1)
        }
    }

    /// Pads with spaces to `width` terminal columns (see `displayWidth`).
    public func paddedToDisplayWidth(_ width: Int) -> String {
        self + String(repeating: " ", count: Swift.max(0, width - displayWidth))
    }
}
