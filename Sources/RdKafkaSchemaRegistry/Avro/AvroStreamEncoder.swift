/// Encodes an `Encodable` straight into Avro bytes, led by the schema: a record field by field
/// as its coding keys come (reordered at the record's end when they do not come in the
/// schema's order), an array item by item. Where the schema cannot lead, that part goes
/// through the `Node` tree of ``AvroEncoder/value(_:as:)``: maps (their keys are written
/// sorted), unions where more than one branch fits a container, and containers handed out to
/// be filled later (`nestedContainer`, `superEncoder`).
final class AvroOutput {
    var writer = AvroBinary.Writer()
}

final class StreamEncoder: Encoder {
    enum Step {
        case root
        case field(String)
        case item(Int)
        /// The same value again (a single-value container's nested `encode`).
        case same
    }

    private enum Mode { case idle, record, array, tree, single }

    let output: AvroOutput
    let schema: AvroSchema
    let parent: StreamEncoder?
    let step: Step
    private var mode = Mode.idle
    /// Where the record's or array's first byte is (after a union branch index).
    private var start = 0
    // A record's progress: fields 0..<inOrder are in place from `start`; fields that came out
    // of order (or after one did) are segments after them, put in order by `finishRecord`.
    private var record: AvroSchema.Record?
    private var fields: [AvroSchema.Field] = []
    private var inOrder = 0
    private var late: [(index: Int, start: Int, end: Int)] = []
    private var pendingFields: [(index: Int, ref: Ref)] = []
    // An array's progress; items handed out as containers are inserted at their offset.
    private var itemSchema = AvroSchema.null
    private var count = 0
    private var pendingItems: [(offset: Int, item: Int, ref: Ref)] = []
    private var tree: Ref?
    /// An error found where the protocol cannot throw (`nestedContainer` for an unknown key).
    private var deferredError: AvroError?

    init(output: AvroOutput, schema: AvroSchema, parent: StreamEncoder?, step: Step) {
        self.output = output
        self.schema = schema
        self.parent = parent
        self.step = step
    }

    var codingPath: [CodingKey] {
        var keys: [CodingKey] = []
        var node: StreamEncoder? = self
        while let current = node {
            switch current.step {
            case .field(let name): keys.append(AvroCodingKey(name))
            case .item(let i): keys.append(AvroCodingKey(i))
            case .root, .same: break
            }
            node = current.parent
        }
        return keys.reversed()
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The field path for messages, such as `com.example.Order.lines[2].sku`: built only when
    /// something is wrong.
    var path: String {
        switch step {
        case .root: return schema.fullName ?? schema.typeName
        case .same: return parent?.path ?? ""
        case .field(let name): return (parent?.path ?? "") + "." + name
        case .item(let i): return (parent?.path ?? "") + "[\(i)]"
        }
    }

    /// Encodes `value` as `schema` into `output`, finishing its containers.
    static func encode<T: Encodable>(_ value: T, as schema: AvroSchema, output: AvroOutput, parent: StreamEncoder?, step: Step) throws {
        let encoder = StreamEncoder(output: output, schema: schema, parent: parent, step: step)
        if let special = Node.special(value) {
            try encoder.put(special, schema) { encoder.path }
            return
        }
        try value.encode(to: encoder)
        try encoder.finish()
    }

    /// Writes a scalar (or a finished tree) as `schema`, converting as ``AvroEncoder`` does.
    func put(_ node: Node, _ schema: AvroSchema, path: () -> String) throws(AvroError) {
        do {
            try output.writer.write(try node.avro(schema, path: ""), schema, path: "")
        } catch {
            // Again with the path, which only a message needs.
            let path = path()
            var scratch = AvroBinary.Writer()
            try scratch.write(try node.avro(schema, path: path), schema, path: path)
            throw error
        }
    }

    // MARK: Containers

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if mode == .idle, let branch = streamed(record: true), case .record(let record) = branch {
            mode = .record
            self.record = record
            fields = record.fields
            start = output.writer.bytes.count
        }
        if mode == .record { return KeyedEncodingContainer(RecordContainer(encoder: self)) }
        return NodeEncoder(ref: treeRef(), codingPath: codingPath).container(keyedBy: type)
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if mode == .idle, let branch = streamed(record: false), case .array(let items) = branch {
            mode = .array
            itemSchema = items
            start = output.writer.bytes.count
        }
        if mode == .array { return ArrayContainer(encoder: self) }
        return NodeEncoder(ref: treeRef(), codingPath: codingPath).unkeyedContainer()
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        if mode == .idle { mode = .single }
        return SingleContainer(encoder: self)
    }

    /// The record (or array) schema to stream into, writing the union branch index first; nil
    /// when the schema is not one, or a union where more than one branch fits the container.
    private func streamed(record: Bool) -> AvroSchema? {
        func fits(_ schema: AvroSchema) -> Bool {
            switch schema {
            case .record, .map: return record
            case .array, .bytes, .fixed: return !record
            default: return false
            }
        }
        switch schema {
        case .record: return record ? schema : nil
        case .array: return record ? nil : schema
        case .union(let branches):
            let candidates = branches.indices.filter { fits(branches[$0]) }
            guard candidates.count == 1 else { return nil }
            let branch = branches[candidates[0]]
            switch branch {
            case .record where record, .array where !record:
                output.writer.long(Int64(candidates[0]))
                return branch
            default: return nil
            }
        default: return nil
        }
    }

    private func treeRef() -> Ref {
        if let tree { return tree }
        let ref = Ref()
        tree = ref
        mode = .tree
        return ref
    }

    // MARK: Records

    /// The index of the field `key` names, checking that it is new; where it goes.
    func beginField(_ key: String) throws(AvroError) -> Int {
        if inOrder < fields.count, late.isEmpty, pendingFields.isEmpty, fields[inOrder].name == key {
            inOrder += 1
            return inOrder - 1
        }
        guard let record, let index = record.fieldIndex[key] else {
            throw AvroError(.valueMismatch, "\(path): \(record?.name.fullName ?? schema.typeName) has no field \"\(key)\" (a coding key of the Swift type)")
        }
        if index < inOrder || late.contains(where: { $0.index == index }) || pendingFields.contains(where: { $0.index == index }) {
            throw AvroError(.valueMismatch, "\(path).\(key) is encoded twice")
        }
        late.append((index, output.writer.bytes.count, -1))
        return index
    }

    func endField(_ index: Int) {
        if let last = late.indices.last, late[last].index == index { late[last].end = output.writer.bytes.count }
    }

    /// A field whose container is filled after this call returns: written at the record's end.
    func pendingField(_ key: String) -> Ref {
        let ref = Ref()
        if let index = record?.fieldIndex[key] {
            if index < inOrder || late.contains(where: { $0.index == index }) || pendingFields.contains(where: { $0.index == index }) {
                deferredError = deferredError ?? AvroError(.valueMismatch, "\(path).\(key) is encoded twice")
            }
            pendingFields.append((index, ref))
        } else {
            deferredError = deferredError ?? AvroError(.valueMismatch, "\(path): \(record?.name.fullName ?? schema.typeName) has no field \"\(key)\" (a coding key of the Swift type)")
        }
        return ref
    }

    private func finishRecord() throws(AvroError) {
        for (index, ref) in pendingFields {
            let segmentStart = output.writer.bytes.count
            try put(ref.node, fields[index].type) { "\(path).\(fields[index].name)" }
            late.append((index, segmentStart, output.writer.bytes.count))
        }
        guard !late.isEmpty else {
            for index in inOrder..<fields.count { try writeMissing(index) }
            return
        }
        // Fields 0..<inOrder stay; the segments after them go back in the schema's order.
        let base = late.map(\.start).min()!
        let tail = Array(output.writer.bytes[base...])
        output.writer.bytes.removeSubrange(base...)
        for index in inOrder..<fields.count {
            if let segment = late.first(where: { $0.index == index }) {
                output.writer.bytes += tail[(segment.start - base)..<(segment.end - base)]
            } else {
                try writeMissing(index)
            }
        }
    }

    /// A field the value left out: its default, or null for an optional (Codable leaves a nil
    /// optional's key out).
    private func writeMissing(_ index: Int) throws(AvroError) {
        let field = fields[index]
        if let defaultJSON = field.defaultValue {
            let fieldPath = "\(path).\(field.name)"
            try output.writer.write(try AvroValue(defaultJSON: defaultJSON, schema: field.type, path: fieldPath), field.type, path: fieldPath)
        } else if case .union(let branches) = field.type, let null = branches.firstIndex(where: { $0.unionKind == "null" }) {
            output.writer.long(Int64(null))
        } else {
            throw AvroError(.valueMismatch, "\(path).\(field.name) is missing and has no default")
        }
    }

    func fieldType(_ index: Int) -> AvroSchema { fields[index].type }

    // MARK: Arrays

    var arrayItems: AvroSchema { itemSchema }
    var itemCount: Int { count }

    func nextItem() -> Int {
        count += 1
        return count - 1
    }

    func pendingItem() -> Ref {
        let ref = Ref()
        pendingItems.append((output.writer.bytes.count, nextItem(), ref))
        return ref
    }

    private func finishArray() throws(AvroError) {
        // Items handed out as containers go in at their offsets, the last first.
        for (offset, item, ref) in pendingItems.reversed() {
            var scratch = AvroBinary.Writer()
            let value = try ref.node.avro(itemSchema, path: "\(path)[\(item)]")
            try scratch.write(value, itemSchema, path: "\(path)[\(item)]")
            output.writer.bytes.insert(contentsOf: scratch.bytes, at: offset)
        }
        if count > 0 {
            var prefix = AvroBinary.Writer()
            prefix.long(Int64(count))
            output.writer.bytes.insert(contentsOf: prefix.bytes, at: start)
        }
        output.writer.long(0)
    }

    func finish() throws(AvroError) {
        if let deferredError { throw deferredError }
        switch mode {
        case .record: try finishRecord()
        case .array: try finishArray()
        case .tree: try put(tree!.node, schema) { path }
        case .idle: try put(.null, schema) { path }
        case .single: break
        }
    }
}

/// A coding key for `codingPath`.
struct AvroCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { stringValue = string }
    init(_ int: Int) {
        stringValue = "\(int)"
        intValue = int
    }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(intValue) }
}
