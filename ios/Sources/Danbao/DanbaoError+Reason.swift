import Foundation

extension DanbaoError {
    /// The core's sentence for a person, e.g. "amount 12.345 has 3 decimals; CNY allows 2".
    ///
    /// Show this, not `localizedDescription`: the generated `errorDescription` is
    /// `String(reflecting:)`, which prints the case and its label around the text.
    public var reason: String {
        switch self {
        case .UnknownCurrency(let message), .InvalidAmount(let message), .Render(let message),
            .Account(let message), .InvalidInput(let message), .Refused(let message),
            .Offline(let message), .CodeRefused(let message), .Storage(let message),
            .Secrets(let message), .Protocol(let message), .NotReady(let message),
            .Internal(let message):
            return message
        }
    }
}
