/// One system that follows price updates, in its own consumer group so each gets every update.
public struct SubscriberDefinition: Sendable, Hashable {
    /// Short name, used as `client.id` and in logs.
    public var name: String
    /// The consumer group.
    public var groupID: String
    /// What the subscriber logs after handling an update (the guide's mock logic).
    public var action: String

    public init(name: String, groupID: String, action: String) {
        self.name = name
        self.groupID = groupID
        self.action = action
    }

    public static let inventory = SubscriberDefinition(
        name: "inventory", groupID: "inventorySystem", action: "Database updated with the new price of the product")
    public static let franchisee1 = SubscriberDefinition(
        name: "franchisee1", groupID: "franchisee1", action: "Acknowledgement from Franchisee 1")
    public static let franchisee2 = SubscriberDefinition(
        name: "franchisee2", groupID: "franchisee2", action: "Acknowledgement from Franchisee 2")

    /// The guide's three subscribers.
    public static let all: [SubscriberDefinition] = [inventory, franchisee1, franchisee2]
}
