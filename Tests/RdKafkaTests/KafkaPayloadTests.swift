@testable import RdKafka
import Foundation
import Testing

@Suite("Message payloads")
struct KafkaPayloadTests {
    @Test("bytes, strings and Data keep their bytes and count")
    func formsKeepTheirBytes() {
        let forms: [KafkaPayload] = [KafkaPayload([104, 105]), KafkaPayload("hi"), KafkaPayload(Data("hi".utf8))]
        for payload in forms {
            #expect(payload.count == 2)
            #expect(payload.bytes == [104, 105])
            #expect(payload.withUnsafeBytes { Array($0) } == [104, 105])
            #expect(payload.withBytes { pointer, count in pointer != nil && count == 2 })
        }
    }

    @Test("an empty payload is present (a non-NULL pointer), unlike a nil one")
    func emptyIsNotNone() {
        #expect(KafkaPayload([]).withBytes { pointer, count in pointer != nil && count == 0 })
        #expect(KafkaPayload("").withBytes { pointer, count in pointer != nil && count == 0 })
        #expect(KafkaPayload.absent.withBytes { pointer, count in pointer == nil && count == 0 })
    }

    @Test("a message's nil key or value reads back nil; a set one reads back equal")
    func optionalKeyAndValue() {
        var message = KafkaProducerMessage(topic: "t", value: nil)
        #expect(message.key == nil)
        #expect(message.value == nil)
        message.key = "k"
        message.value = KafkaPayload([])
        #expect(message.key == KafkaPayload("k"))
        #expect(message.value == KafkaPayload([]))
        message.value = nil
        #expect(message.value == nil)
        #expect(message == KafkaProducerMessage(topic: "t", key: "k", value: nil))
    }

    @Test("payloads of different forms are different values, as they were given")
    func formsAreDistinct() {
        #expect(KafkaPayload("a") != KafkaPayload([97]))
        #expect(KafkaPayload([97]) == KafkaPayload([97]))
        #expect(Set([KafkaPayload("a"), KafkaPayload("a"), KafkaPayload(Data("a".utf8))]).count == 2)
    }
}
