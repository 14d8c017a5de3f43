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

    @Test("payloads are equal, and hash alike, when their bytes are, whatever form made them")
    func equalityByBytes() {
        let forms: [KafkaPayload] = [KafkaPayload([104, 105]), KafkaPayload("hi"), KafkaPayload(Data("hi".utf8))]
        for a in forms {
            for b in forms {
                #expect(a == b)
                #expect(a.hashValue == b.hashValue)
            }
        }
        #expect(KafkaPayload("hi") != KafkaPayload([104]))
        #expect(KafkaPayload(Data()) == KafkaPayload(""))
        #expect(Set(forms).count == 1)
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

    @Test("a message without a key differs from one with an empty key")
    func absentIsNotEmpty() {
        #expect(KafkaPayload.absent != KafkaPayload(""))
        #expect(KafkaProducerMessage(topic: "t", key: nil, value: "v") != KafkaProducerMessage(topic: "t", key: "", value: "v"))
    }
}
