/// A price update as one subscriber received it.
public struct ReceivedPriceUpdate: Sendable, Hashable {
    public var subscriber: SubscriberDefinition
    public var update: PriceUpdate
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(subscriber: SubscriberDefinition, update: PriceUpdate, topic: String, partition: Int32, offset: Int64) {
        self.subscriber = subscriber
        self.update = update
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}
