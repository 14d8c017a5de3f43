// Credential rotation without recreating the client (`rd_kafka_sasl_set_credentials`).

extension KafkaProducer {
    /// Replaces the SASL PLAIN or SCRAM username and password used from the next
    /// authentication on (a reconnect, or a broker not yet connected); connections already
    /// made stay as they are. The password is scrubbed from logs like a configured one. It ends
    /// a current authentication failure (see ``Options/failFastOnSecurityErrors``).
    ///
    /// - Throws: `KafkaError` when the client does not use PLAIN or SCRAM (OAUTHBEARER clients
    ///   rotate through their token provider), or librdkafka refuses the values.
    public func updateSASLCredentials(username: String, password: String) throws(KafkaError) {
        try core.handle.setSASLCredentials(username: username, password: password)
    }
}

extension KafkaConsumer {
    /// Replaces the SASL PLAIN or SCRAM username and password used from the next
    /// authentication on; see ``KafkaProducer/updateSASLCredentials(username:password:)``.
    public func updateSASLCredentials(username: String, password: String) throws(KafkaError) {
        try core.handle.setSASLCredentials(username: username, password: password)
    }
}

extension KafkaAdmin {
    /// Replaces the SASL PLAIN or SCRAM username and password used from the next
    /// authentication on; see ``KafkaProducer/updateSASLCredentials(username:password:)``.
    public func updateSASLCredentials(username: String, password: String) throws(KafkaError) {
        try core.handle.setSASLCredentials(username: username, password: password)
    }
}
