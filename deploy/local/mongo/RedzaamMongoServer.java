import java.lang.reflect.Constructor;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.backend.h2.H2UniqueIndex;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * The local MongoDB-wire server of Redzaam's development machines and CI: mongo-java-server with its H2 MVStore
 * backend, which uses its _id and unique indexes and applies each operation on a collection under one lock.
 *
 * <p>Five things the stock launcher does not do, and this one does:
 * <ul>
 *   <li>it stores documents, ids and unique-index keys as BSON and compares keys as MongoDB orders values: the stock
 *       store leaves them to H2's generic type, which writes every document with Java serialization and compares
 *       every index key by serializing both sides, so that an insert cost about 200 microseconds whatever the
 *       document (measured on a 2-core machine, 20,000 documents of one string field);</li>
 *   <li>dropping a database whose collections have secondary indexes fails in the stock server (an assertion that
 *       the collection's index list is empty, after the database was already unregistered); this one then removes
 *       the database's maps from the store itself, so that the drop completes;</li>
 *   <li>a filter on {@code _id} (a string, or {@code $in} strings) together with other fields, such as the version
 *       guard {@code {_id, version}} of every optimistic update, reads only the documents with those ids: the stock
 *       server uses an index only when the filter names exactly its keys, and otherwise scans the collection;</li>
 *   <li>it commits the store after every command that writes, before the reply goes out, so an acknowledged write
 *       is in the file and survives a SIGKILL of the server (the stock store commits on a one-second timer);</li>
 *   <li>it reports wire version 13 (MongoDB 5.0), the subset the platform uses; PyMongo 4.20 refuses the stock 8.</li>
 * </ul>
 *
 * <p>Usage: {@code java -cp 'classes:libs/*' RedzaamMongoServer <host> <port> <store file>}
 */
public final class RedzaamMongoServer {

    private static final Set<String> WRITE_COMMANDS = Set.of(
        "insert", "update", "delete", "findandmodify", "createindexes", "dropindexes", "drop", "dropdatabase",
        "create", "renamecollection");

    private static final MongoVersion REPORTED_VERSION = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(5, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 13;
        }
    };

    /** The one store of this process, for the databases opened while the backend is being constructed. */
    private static MVStore store;

    /** Commits the MVStore after each write command, so that what was acknowledged is on disk. */
    static final class CommittingH2Backend extends H2Backend {

        CommittingH2Backend(MVStore mvStore) {
            super(mvStore);
        }

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            return new IdNarrowingDatabase(databaseName, getMvStore(), getCursorRegistry());
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            if (!WRITE_COMMANDS.contains(command.toLowerCase(Locale.ROOT))) {
                return super.handleCommand(channel, database, command, query);
            }
            try {
                return super.handleCommand(channel, database, command, query);
            } catch (RuntimeException error) {
                if (!command.equalsIgnoreCase("dropDatabase")) {
                    throw error;
                }
                return purgeDatabase(database);
            } finally {
                // also after a failed command: an unordered insert may have stored part of its documents
                commit();
            }
        }
    }

    /** Removes every map of the database from the store, as the stock drop would have done after its assertion. */
    private static Document purgeDatabase(String database) {
        List<String> doomed = new ArrayList<>();
        for (String name : store.getMapNames()) {
            if (name.startsWith(database + ".") || name.startsWith("databases." + database + ".")
                || name.startsWith("meta." + database + ".")) {
                doomed.add(name);
            }
        }
        for (String name : doomed) {
            store.removeMap(name);
        }
        Document response = new Document("dropped", database);
        response.put("ok", 1.0);
        return response;
    }

    /** Opens its collections as {@link IdNarrowingCollection}s, in the maps the stock H2 database uses. */
    static final class IdNarrowingDatabase extends H2Database {

        IdNarrowingDatabase(String databaseName, MVStore mvStore, CursorRegistry cursorRegistry) {
            super(databaseName, mvStore, cursorRegistry);
        }

        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            // called from the superclass constructor, before any field of this class is set: hence the static store
            String fullName = getFullCollectionNamespace(collectionName);
            MVMap<Object, Document> dataMap = store.openMap("databases." + fullName,
                new MVMap.Builder<Object, Document>().keyType(BsonValueType.INSTANCE).valueType(BsonDocumentType.INSTANCE));
            MVMap<String, Object> metaMap = store.openMap("meta." + fullName);
            return new IdNarrowingCollection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
        }

        @Override
        protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                        boolean sparse) {
            MVMap<KeyValue, Object> map = store.openMap(getFullCollectionNamespace(collectionName) + "._index_" + indexName,
                new MVMap.Builder<KeyValue, Object>().keyType(KeyValueType.INSTANCE).valueType(BsonValueType.INSTANCE));
            try {
                // the stock index, only over a map with these key types; its constructor is package-private
                Constructor<H2UniqueIndex> constructor = H2UniqueIndex.class.getDeclaredConstructor(
                    MVMap.class, String.class, List.class, boolean.class);
                constructor.setAccessible(true);
                return constructor.newInstance(map, indexName, keys, sparse);
            } catch (ReflectiveOperationException error) {
                throw new IllegalStateException("cannot open the unique index " + indexName, error);
            }
        }
    }

    /** One scratch buffer per thread for encoding: allocating one per value showed in profiles. */
    private static final ThreadLocal<ByteBuf> SCRATCH = ThreadLocal.withInitial(() -> Unpooled.buffer(4096));

    /** Writes the document as BSON, with the server's own codec. */
    private static void putBson(WriteBuffer out, Map<String, ?> document) {
        ByteBuf buffer = SCRATCH.get();
        buffer.clear();
        BsonEncoder.encodeDocument(document, buffer);
        out.put(buffer.array(), buffer.arrayOffset() + buffer.readerIndex(), buffer.readableBytes());
    }

    /** Decodes the BSON document at the buffer's position (its first four bytes give its length) and moves past it. */
    private static Document unbson(ByteBuffer in) {
        int length = in.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt();
        ByteBuffer slice = in.slice();
        slice.limit(length);
        in.position(in.position() + length);
        return BsonDecoder.decodeBson(Unpooled.wrappedBuffer(slice));
    }

    // A value in a key: most are strings (the platform's ids), written as their UTF-8 bytes; the rest as BSON.
    private static final byte STRING = 1;
    private static final byte MISSING = 2;  // the key of an index entry for a document without the field
    private static final byte OTHER = 3;

    private static void putValue(WriteBuffer out, Object value) {
        if (value instanceof String) {
            byte[] bytes = ((String) value).getBytes(StandardCharsets.UTF_8);
            out.put(STRING).putVarInt(bytes.length).put(bytes);
        } else if (value instanceof Missing) {
            out.put(MISSING);
        } else {
            out.put(OTHER);
            putBson(out, new Document("v", value));
        }
    }

    private static Object getValue(ByteBuffer in) {
        byte kind = in.get();
        if (kind == STRING) {
            byte[] bytes = new byte[DataUtils.readVarInt(in)];
            in.get(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (kind == MISSING) {
            return Missing.getInstance();
        }
        return unbson(in).get("v");
    }

    /** A rough size in memory, for the store's cache accounting; it need not be exact. */
    private static int estimate(Object value) {
        if (value instanceof Map) {
            int size = 64;
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                size += 48 + 2 * entry.getKey().toString().length() + estimate(entry.getValue());
            }
            return size;
        }
        if (value instanceof Collection) {
            int size = 48;
            for (Object item : (Collection<?>) value) {
                size += 8 + estimate(item);
            }
            return size;
        }
        if (value instanceof String) {
            return 48 + 2 * ((String) value).length();
        }
        return 24;
    }

    /** MongoDB's order of values, as the server's own sorts use it, lists compared element by element. */
    private static final Comparator<Object> ORDER = ValueComparator.ascWithoutListHandling();

    private static int order(Object one, Object other) {
        if (one instanceof String && other instanceof String) {  // as the server's comparator does, without its lookups
            return ((String) one).compareTo((String) other);
        }
        return ORDER.compare(one, other);
    }

    /** Whole documents, as BSON. */
    static final class BsonDocumentType extends BasicDataType<Document> {
        static final BsonDocumentType INSTANCE = new BsonDocumentType();

        @Override
        public int getMemory(Document document) {
            return estimate(document);
        }

        @Override
        public void write(WriteBuffer out, Document document) {
            putBson(out, document);
        }

        @Override
        public Document read(ByteBuffer in) {
            return unbson(in);
        }

        @Override
        public Document[] createStorage(int size) {
            return new Document[size];
        }
    }

    /** One value (a document id, an index entry's position), in MongoDB's order. */
    static final class BsonValueType extends BasicDataType<Object> {
        static final BsonValueType INSTANCE = new BsonValueType();

        @Override
        public int getMemory(Object value) {
            return estimate(value);
        }

        @Override
        public void write(WriteBuffer out, Object value) {
            putValue(out, value);
        }

        @Override
        public Object read(ByteBuffer in) {
            return getValue(in);
        }

        @Override
        public int compare(Object one, Object other) {
            return order(one, other);
        }

        @Override
        public Object[] createStorage(int size) {
            return new Object[size];
        }
    }

    /** A unique index's key: how many values, then each value. */
    static final class KeyValueType extends BasicDataType<KeyValue> {
        static final KeyValueType INSTANCE = new KeyValueType();

        @Override
        public int getMemory(KeyValue key) {
            int size = 32;
            for (Object value : key) {
                size += 8 + estimate(value);
            }
            return size;
        }

        @Override
        public void write(WriteBuffer out, KeyValue key) {
            out.putVarInt(key.size());
            for (Object value : key) {
                putValue(out, value);
            }
        }

        @Override
        public KeyValue read(ByteBuffer in) {
            int size = DataUtils.readVarInt(in);
            List<Object> values = new ArrayList<>(size);
            for (int index = 0; index < size; index++) {
                values.add(getValue(in));
            }
            return new KeyValue(values);
        }

        @Override
        public int compare(KeyValue one, KeyValue other) {
            int shared = Math.min(one.size(), other.size());
            for (int index = 0; index < shared; index++) {
                int order = order(one.get(index), other.get(index));
                if (order != 0) {
                    return order;
                }
            }
            return Integer.compare(one.size(), other.size());
        }

        @Override
        public KeyValue[] createStorage(int size) {
            return new KeyValue[size];
        }
    }

    /** Reads by _id first whenever the filter pins _id to strings, then matches the rest of the filter. */
    static final class IdNarrowingCollection extends H2Collection {

        private final MVMap<Object, Document> documents;

        IdNarrowingCollection(MongoDatabase database, String name, CollectionOptions options,
                              MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursors) {
            super(database, name, options, dataMap, metaMap, cursors);
            this.documents = dataMap;
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                             int batchSize, Document fieldSelector) {
            List<Object> ids = query.size() > 1 ? stringIds(query.get("_id")) : null;
            if (ids == null) {  // a filter of _id alone is served by the _id index already
                return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
            }
            List<Object> present = new ArrayList<>();
            for (Object id : ids) {
                if (documents.containsKey(id)) {
                    present.add(id);
                }
            }
            return matchDocuments(query, present, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }

        /** The ids a filter value pins: a string, or {$in: [strings]}; null for anything else. */
        private static List<Object> stringIds(Object value) {
            if (value instanceof String) {
                return List.of(value);
            }
            if (value instanceof Document && ((Document) value).size() == 1
                && ((Document) value).get("$in") instanceof Collection) {
                Set<Object> ids = new LinkedHashSet<>();
                for (Object id : (Collection<?>) ((Document) value).get("$in")) {
                    if (!(id instanceof String)) {
                        return null;
                    }
                    ids.add(id);
                }
                return new ArrayList<>(ids);
            }
            return null;
        }
    }

    private RedzaamMongoServer() {
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: RedzaamMongoServer <host> <port> <store file>");
            System.exit(2);
        }
        // a large page cache: every page read again from the file is decoded again
        store = new MVStore.Builder().fileName(args[2]).cacheSize(512).open();
        // freed space is reused after 1 s, not 45: a killed server leaves the operating system's buffers intact
        store.setRetentionTime(1000);
        CommittingH2Backend backend = new CommittingH2Backend(store);
        backend.version(REPORTED_VERSION);
        MongoServer server = new MongoServer(backend);
        server.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
        System.out.println("redzaam-mongo listening on " + args[0] + ":" + args[1] + ", store " + args[2]);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "shutdown"));
    }
}
