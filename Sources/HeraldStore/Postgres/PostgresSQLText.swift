/// The store's SQL, written with SQLite's parameters (`?` and `?NNN`), as PostgreSQL takes
/// it (`$N`): `?NNN` is `$NNN`, and a bare `?` takes the number after the largest so far, as
/// SQLite numbers it. Quoted text ('…', standard quoting), quoted names and comments (`--`,
/// `/* */`, not nested) are left as they are; `E'…'` escape strings and dollar quoting are not
/// recognised (the store's SQL uses neither).
enum PostgresSQLText {
    /// The text with `$N` parameters, and how many parameters it has.
    static func numberingParameters(_ sql: String) -> (sql: String, count: Int) {
        var output = ""
        output.reserveCapacity(sql.utf8.count + 16)
        var largest = 0
        var characters = Array(sql.unicodeScalars)[...]
        while let character = characters.popFirst() {
            switch character {
            case "'", "\"":
                // Up to the closing quote; a doubled quote inside is part of the text.
                output.unicodeScalars.append(character)
                while let next = characters.popFirst() {
                    output.unicodeScalars.append(next)
                    if next == character {
                        if characters.first == character { output.unicodeScalars.append(characters.removeFirst()) }
                        else { break }
                    }
                }
            case "/" where characters.first == "*":
                output.unicodeScalars.append(character)
                var previous: Unicode.Scalar = " "
                while let next = characters.popFirst() {
                    output.unicodeScalars.append(next)
                    if previous == "*" && next == "/" { break }
                    previous = next
                }
            case "-" where characters.first == "-":
                output.unicodeScalars.append(character)
                while let next = characters.popFirst() {
                    output.unicodeScalars.append(next)
                    if next == "\n" { break }
                }
            case "?":
                var digits = ""
                while let next = characters.first, ("0"..."9").contains(next) {
                    digits.unicodeScalars.append(characters.removeFirst())
                }
                let number = Int(digits) ?? largest + 1
                largest = max(largest, number)
                output += "$\(number)"
            default:
                output.unicodeScalars.append(character)
            }
        }
        return (output, largest)
    }
}
