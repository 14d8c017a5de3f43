#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Looks inside certificate and key files, so a wrong file fails before librdkafka's terse
/// OpenSSL error does.
enum PEMFileCheck {
    enum Kind: Equatable {
        case certificate, privateKey, encryptedPrivateKey, crl, other(String)

        var label: String {
            switch self {
            case .certificate: return "certificate"
            case .privateKey: return "private key"
            case .encryptedPrivateKey: return "encrypted private key"
            case .crl: return "certificate revocation list"
            case .other(let l): return l
            }
        }

        func satisfies(_ expected: Kind) -> Bool {
            self == expected || (expected == .privateKey && self == .encryptedPrivateKey)
        }
    }

    static func kinds(in data: Data) -> [Kind] {
        let text = String(decoding: data, as: UTF8.self)
        var result: [Kind] = []
        var rest = text[...]
        while let begin = rest.firstRange(of: "-----BEGIN ") {
            let afterBegin = rest[begin.upperBound...]
            guard let end = afterBegin.firstRange(of: "-----") else { break }
            let label = String(afterBegin[..<end.lowerBound])
            let block = afterBegin[end.upperBound...]
            let body = block.firstRange(of: "-----END").map { block[..<$0.lowerBound] } ?? block
            switch label {
            case "CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE": result.append(.certificate)
            case "ENCRYPTED PRIVATE KEY": result.append(.encryptedPrivateKey)
            case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY":
                result.append(body.contains("ENCRYPTED") ? .encryptedPrivateKey : .privateKey)
            case "X509 CRL": result.append(.crl)
            default: result.append(.other(label))
            }
            rest = block
        }
        return result
    }

    static func describe(_ kinds: [Kind]) -> String {
        kinds.isEmpty ? "no PEM blocks" : kinds.map(\.label).joined(separator: ", ")
    }

    static func isJavaKeyStore(_ data: Data) -> Bool {
        let magic = [UInt8](data.prefix(4))
        return magic == [0xFE, 0xED, 0xFE, 0xED] || magic == [0xCE, 0xCE, 0xCE, 0xCE]
    }

    static func read(_ entry: KafkaConfiguration.Entry, role: String) throws(KafkaError) -> Data? {
        let path = entry.value
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw KafkaError.configuration(entry.name, "the \(role) file \(path) does not exist", origin: entry.origin,
                fix: "check the path (relative paths start at \(FileManager.default.currentDirectoryPath))")
        }
        if isDirectory {
            guard entry.name == "ssl.ca.location" else {
                throw KafkaError.configuration(entry.name, "\(path) is a directory, not a \(role) file", origin: entry.origin,
                    fix: "name the file itself")
            }
            return nil
        }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw KafkaError.configuration(entry.name, "the \(role) file \(path) cannot be read", origin: entry.origin,
                fix: "check its permissions (the process runs as uid \(Syscalls.userID))")
        }
        return data
    }

    /// Checks a PEM file; returns the kind found.
    @discardableResult
    static func check(_ entry: KafkaConfiguration.Entry, expect: Kind, role: String) throws(KafkaError) -> Kind? {
        guard let data = try read(entry, role: role) else { return nil }
        if isJavaKeyStore(data) {
            throw KafkaError.configuration(entry.name, "\(entry.value) is a Java KeyStore (JKS), which librdkafka cannot read",
                origin: entry.origin,
                fix: expect == .certificate && entry.name == "ssl.ca.location"
                    ? "export the CA as PEM: keytool -exportcert -rfc -keystore \(entry.value) -alias CARoot -file ca.pem"
                    : "convert it: keytool -importkeystore -srckeystore \(entry.value) -destkeystore keystore.p12 -deststoretype PKCS12, then use ssl.keystore.location")
        }
        let kinds = kinds(in: data)
        if let found = kinds.first(where: { $0.satisfies(expect) }) { return found }
        var fix = "give a PEM file holding the \(role)"
        if kinds.contains(where: { $0.satisfies(.privateKey) }) && expect == .certificate {
            fix = "this looks like the private key: put it in ssl.key.location and the certificate here"
        } else if kinds.contains(.certificate) && expect == .privateKey {
            fix = "this looks like a certificate: put it in ssl.certificate.location and the key here"
        } else if kinds.isEmpty, data.first == 0x30 {
            fix = "this looks like DER or PKCS#12: use ssl.keystore.location for a .p12 file, or convert with openssl x509 -inform der -in FILE -out FILE.pem"
        }
        throw KafkaError.configuration(entry.name, "the \(role) file \(entry.value) holds no \(expect.label) (found \(describe(kinds)))",
            origin: entry.origin, fix: fix)
    }

    static func checkKeystore(_ entry: KafkaConfiguration.Entry) throws(KafkaError) {
        guard let data = try read(entry, role: "PKCS#12 keystore") else { return }
        if isJavaKeyStore(data) {
            throw KafkaError.configuration(entry.name, "\(entry.value) is a Java KeyStore (JKS), which librdkafka cannot read",
                origin: entry.origin,
                fix: "convert it: keytool -importkeystore -srckeystore \(entry.value) -destkeystore keystore.p12 -deststoretype PKCS12")
        }
        if !kinds(in: data).isEmpty {
            throw KafkaError.configuration(entry.name, "\(entry.value) is a PEM file, not a PKCS#12 keystore", origin: entry.origin,
                fix: "use ssl.certificate.location and ssl.key.location for PEM files")
        }
    }
}
