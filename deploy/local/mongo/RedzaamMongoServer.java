import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/**
 * The local MongoDB-wire server of Redzaam's development machines and CI: mongo-java-server with its H2 MVStore
 * backend, which uses its _id and unique indexes and applies each operation on a collection under one lock.
 *
 * <p>Four things the stock launcher does not do, and this one does:
 * <ul>
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
            MVMap<Object, Document> dataMap = store.openMap("databases." + fullName);
            MVMap<String, Object> metaMap = store.openMap("meta." + fullName);
            return new IdNarrowingCollection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
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
        store = MVStore.open(args[2]);
        CommittingH2Backend backend = new CommittingH2Backend(store);
        backend.version(REPORTED_VERSION);
        MongoServer server = new MongoServer(backend);
        server.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
        System.out.println("redzaam-mongo listening on " + args[0] + ":" + args[1] + ", store " + args[2]);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "shutdown"));
    }
}
