#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Loading configurations from files and the environment.
extension KafkaConfiguration {
    /// The format of a configuration file.
    public enum FileFormat: Sendable {
        /// Java / librdkafka `.properties`: `name=value` lines, `#` comments.
        case properties
        /// A JSON object of properties, or a named section of one (`appsettings.json` style).
        /// Keys are librdkafka names or Confluent.Kafka (.NET) names (`BootstrapServers`,
        /// `SaslMechanism: "Plain"`).
        case json
    }

    /// Loads a `.properties` or JSON file (chosen by extension: `.json` is JSON, anything else
    /// is properties).
    ///
    /// Java settings are translated (`sasl.mechanism`, `sasl.jaas.config`) or rejected with a
    /// fix (`ssl.truststore.*`, JKS keystores); Java-only keys are ignored with a note in
    /// ``warnings``. Every value remembers its file and line.
    ///
    /// - Parameters:
    ///   - path: The file to read.
    ///   - format: `.properties` or `.json`; `nil` picks by the file's extension (`.json`).
    ///   - section: For JSON, the object holding the properties, such as `Kafka` or
    ///     `Kafka:Producer`; `nil` for a flat file.
    /// - Throws: `KafkaError` naming the file, line and problem.
    public init(contentsOfFile path: String, format: FileFormat? = nil, section: String? = nil) throws(KafkaError) {
        self.init()
        try load(file: path, format: format, section: section)
    }

    /// Lays the properties of a file over this configuration (the file's values win).
    public mutating func load(file path: String, format: FileFormat? = nil, section: String? = nil) throws(KafkaError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw KafkaError(code: .fileSystem, message: "configuration file \(path) does not exist",
                fix: "check the path (relative paths start at \(FileManager.default.currentDirectoryPath))")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KafkaError(code: .fileSystem, message: "configuration file \(path) cannot be read",
                fix: "check its permissions")
        }
        let kind = format ?? (path.lowercased().hasSuffix(".json") ? .json : .properties)
        try load(text: String(decoding: data, as: UTF8.self), named: path, format: kind, section: section)
    }

    /// Reads configuration text that did not come from a file (a secret store, an environment
    /// variable, a test), with the same rules as ``init(contentsOfFile:format:section:)``.
    ///
    /// - Parameters:
    ///   - text: The configuration, in `format`.
    ///   - format: `.properties` (the default) or `.json`.
    ///   - section: For JSON, the object holding the properties (`Kafka:Producer`).
    ///   - name: Names the text in errors and origins, as a file path would.
    public init(parsing text: String, format: FileFormat = .properties, section: String? = nil, name: String = "<text>") throws(KafkaError) {
        self.init()
        try load(text: text, named: name, format: format, section: section)
    }

    private mutating func load(text: String, named path: String, format kind: FileFormat, section: String?) throws(KafkaError) {
        let parsed: [PropertiesParser.Property]
        switch kind {
        case .properties:
            switch PropertiesParser.parse(text) {
            case .success(let properties): parsed = properties
            case .failure(let failure):
                throw KafkaError(code: .invalidArgument, message: "\(path):\(failure.line): \(failure.message)",
                    origin: .file(path: path, line: failure.line), fix: "fix the line")
            }
        case .json:
            switch JSONConfigParser.properties(in: text, section: section) {
            case .success(let properties): parsed = properties
            case .failure(let failure):
                throw KafkaError(code: .invalidArgument, message: "\(path):\(failure.line): \(failure.message)",
                    origin: .file(path: path, line: failure.line),
                    fix: section == nil ? "give a flat JSON object of librdkafka properties, or name its section"
                        : "check the JSON and the section name")
            }
        }
        for property in parsed {
            let key = property.key.trimmingWhitespace
            guard !key.isEmpty else {
                throw KafkaError.configuration(nil, "\(path):\(property.line): a value without a property name",
                    origin: .file(path: path, line: property.line), fix: "write it as name=value")
            }
            if kind == .json, let name = DotNetTranslation.propertyName(key) {
                try apply(name, DotNetTranslation.value(property.value, for: name), origin: .file(path: path, line: property.line))
            } else {
                try apply(key, property.value, origin: .file(path: path, line: property.line))
            }
        }
    }

    /// Lays environment variables over this configuration.
    ///
    /// The scheme: a variable `KAFKA_` + the property name in upper case with `.` written as `_`
    /// (and `_` written as `__`) sets that property: `KAFKA_BOOTSTRAP_SERVERS` sets
    /// `bootstrap.servers`, `KAFKA_SASL_PASSWORD` sets `sasl.password`. Only variables naming a
    /// property librdkafka knows (or a Java setting the SDK translates) are used, so unrelated
    /// variables such as `KAFKA_HOME` or `KAFKA_OPTS` are left alone; they are listed in the
    /// returned array.
    ///
    /// - Returns: The variables with the prefix that were not used.
    @discardableResult
    public mutating func applyEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment, prefix: String = "KAFKA_"
    ) throws(KafkaError) -> [String] {
        var unused: [String] = []
        for variable in environment.keys.sorted() where variable.hasPrefix(prefix) && variable.count > prefix.count {
            guard let value = environment[variable] else { continue }
            let name = Self.propertyName(forEnvironmentVariable: variable, prefix: prefix)
            let translatable = (try? JavaTranslation.translate(name, value, origin: .environment(variable: variable))) != .passThrough
            if Interop.isKnownProperty(name) || translatable {
                try apply(name, value, origin: .environment(variable: variable))
            } else {
                unused.append(variable)
            }
        }
        return unused
    }

    /// `KAFKA_BOOTSTRAP_SERVERS` -> `bootstrap.servers`.
    public static func propertyName(forEnvironmentVariable variable: String, prefix: String = "KAFKA_") -> String {
        let body = variable.dropFirst(prefix.count).lowercased()
        return body.replacing("__", with: "\u{0}")
            .replacing("_", with: ".")
            .replacing("\u{0}", with: "_")
    }

    /// Loads the standard layers, low to high: `file` (if given), then the environment.
    /// Code then sets what it must on the result.
    public static func load(
        file: String? = nil, section: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KafkaError) -> KafkaConfiguration {
        var configuration = KafkaConfiguration()
        if let file { try configuration.load(file: file, section: section) }
        try configuration.applyEnvironment(environment)
        return configuration
    }

    /// Sets one property from a file or the environment, translating Java settings.
    mutating func apply(_ key: String, _ value: String, origin: Origin) throws(KafkaError) {
        switch try JavaTranslation.translate(key, value, origin: origin) {
        case .passThrough:
            set(key, value, origin: origin)
        case .ignore(let warning):
            if JavaTranslation.isRegistrySetting(key) {
                otherClientSettings.removeAll { $0.name == key }
                otherClientSettings.append(Entry(name: key, value: value, origin: origin))
            }
            warnings.append("\(warning) (\(origin))")
        case .set(let pairs, let note):
            for (name, translated) in pairs { set(name, translated, origin: origin) }
            if let note { warnings.append("\(note) (\(origin))") }
        }
    }
}
