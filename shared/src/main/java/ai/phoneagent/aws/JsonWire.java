package ai.phoneagent.aws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Streaming JSON for the lean clients' request and answer bodies (Jackson's generator and parser, no trees on the hot
 * path), with DynamoDB's typed attribute values ({@code {"S":"x"}}, {@code {"M":{…}}}…) both ways.
 */
final class JsonWire {
    /**
     * Buffers from one shared, bounded pool, as {@code Json}'s: Jackson's default pool is per thread, and nearly every
     * AWS call here runs on a virtual thread of its own, so each would allocate fresh buffers.
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.sharedBoundedPool()).build();

    private JsonWire() {
    }

    /** Writes one JSON object. */
    @FunctionalInterface
    interface Body {
        void write(Writer out) throws IOException;
    }

    /** Renders {@code body} as the bytes of one JSON object. */
    static byte[] object(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = FACTORY.createGenerator(bytes)) {
            generator.writeStartObject();
            body.write(new Writer(generator));
            generator.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Whether an SDK model value was set: not null, and not an empty auto-constructed list or map. */
    static boolean isSet(Object value) {
        return value != null && !(value instanceof SdkAutoConstructList<?>) && !(value instanceof SdkAutoConstructMap<?, ?>);
    }

    /** Fields written only when set, so a body holds exactly what the request object holds. */
    static final class Writer {
        private final JsonGenerator out;

        Writer(JsonGenerator out) {
            this.out = out;
        }

        Writer string(String name, String value) throws IOException {
            if (value != null) {
                out.writeStringField(name, value);
            }
            return this;
        }

        Writer number(String name, Integer value) throws IOException {
            if (value != null) {
                out.writeNumberField(name, value);
            }
            return this;
        }

        Writer bool(String name, Boolean value) throws IOException {
            if (value != null) {
                out.writeBooleanField(name, value);
            }
            return this;
        }

        Writer strings(String name, Collection<String> values) throws IOException {
            if (isSet(values)) {
                out.writeArrayFieldStart(name);
                for (String value : values) {
                    out.writeString(value);
                }
                out.writeEndArray();
            }
            return this;
        }

        Writer stringMap(String name, Map<String, String> values) throws IOException {
            if (isSet(values)) {
                out.writeObjectFieldStart(name);
                for (Map.Entry<String, String> entry : values.entrySet()) {
                    out.writeStringField(entry.getKey(), entry.getValue());
                }
                out.writeEndObject();
            }
            return this;
        }

        /** A nested object written by {@code body}. */
        Writer object(String name, Body body) throws IOException {
            out.writeObjectFieldStart(name);
            body.write(this);
            out.writeEndObject();
            return this;
        }

        /** An array of objects, each written by {@code element}. */
        <T> Writer objects(String name, List<T> values, ElementWriter<T> element) throws IOException {
            if (isSet(values)) {
                out.writeArrayFieldStart(name);
                for (T value : values) {
                    out.writeStartObject();
                    element.write(this, value);
                    out.writeEndObject();
                }
                out.writeEndArray();
            }
            return this;
        }

        /** A map of DynamoDB attribute values ({@code Key}, {@code Item}, {@code ExpressionAttributeValues}). */
        Writer attributes(String name, Map<String, AttributeValue> values) throws IOException {
            if (isSet(values)) {
                out.writeFieldName(name);
                attributeMap(values);
            }
            return this;
        }

        private void attributeMap(Map<String, AttributeValue> values) throws IOException {
            out.writeStartObject();
            for (Map.Entry<String, AttributeValue> entry : values.entrySet()) {
                out.writeFieldName(entry.getKey());
                attribute(entry.getValue());
            }
            out.writeEndObject();
        }

        private void attribute(AttributeValue value) throws IOException {
            out.writeStartObject();
            switch (value.type()) {
                case S -> out.writeStringField("S", value.s());
                case N -> out.writeStringField("N", value.n());
                case B -> out.writeStringField("B", base64(value.b()));
                case BOOL -> out.writeBooleanField("BOOL", value.bool());
                case NUL -> out.writeBooleanField("NULL", value.nul());
                case SS -> writeStrings("SS", value.ss());
                case NS -> writeStrings("NS", value.ns());
                case BS -> {
                    out.writeArrayFieldStart("BS");
                    for (SdkBytes bytes : value.bs()) {
                        out.writeString(base64(bytes));
                    }
                    out.writeEndArray();
                }
                case M -> {
                    out.writeFieldName("M");
                    attributeMap(value.m());
                }
                case L -> {
                    out.writeArrayFieldStart("L");
                    for (AttributeValue element : value.l()) {
                        attribute(element);
                    }
                    out.writeEndArray();
                }
                case UNKNOWN_TO_SDK_VERSION -> throw new IllegalArgumentException("an attribute value without a type");
            }
            out.writeEndObject();
        }

        private void writeStrings(String name, List<String> values) throws IOException {
            out.writeArrayFieldStart(name);
            for (String value : values) {
                out.writeString(value);
            }
            out.writeEndArray();
        }

        private static String base64(SdkBytes bytes) {
            return Base64.getEncoder().encodeToString(bytes.asByteArrayUnsafe());
        }
    }

    /** Writes one element of an array of objects. */
    @FunctionalInterface
    interface ElementWriter<T> {
        void write(Writer out, T value) throws IOException;
    }

    /** Reads one JSON object's fields; {@code field} consumes each field's value (or skips it with {@link Reader#skip}). */
    @FunctionalInterface
    interface Fields {
        void field(String name, Reader in) throws IOException;
    }

    /** Parses {@code body} as one JSON object, handing each top-level field to {@code fields}. */
    static void read(byte[] body, Fields fields) {
        try (JsonParser parser = FACTORY.createParser(body)) {
            Reader reader = new Reader(parser);
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the answer is not a JSON object");
            }
            reader.fields(fields);
        } catch (IOException e) {
            throw new UncheckedIOException("malformed answer: " + e.getMessage(), e);
        }
    }

    /** A parser positioned on a field's value. */
    static final class Reader {
        private final JsonParser in;

        Reader(JsonParser in) {
            this.in = in;
        }

        /** The current object's fields, up to and including its end. */
        void fields(Fields fields) throws IOException {
            for (JsonToken token = in.nextToken(); token != JsonToken.END_OBJECT; token = in.nextToken()) {
                if (token != JsonToken.FIELD_NAME) {
                    throw new IOException("expected a field name, got " + token);
                }
                String name = in.currentName();
                in.nextToken();
                fields.field(name, this);
            }
        }

        void skip() throws IOException {
            in.skipChildren();
        }

        String string() throws IOException {
            return in.currentToken() == JsonToken.VALUE_NULL ? null : in.getValueAsString();
        }

        Integer integer() throws IOException {
            return in.currentToken() == JsonToken.VALUE_NULL ? null : in.getValueAsInt();
        }

        Map<String, String> stringMap() throws IOException {
            Map<String, String> values = new LinkedHashMap<>();
            expect(JsonToken.START_OBJECT);
            fields((name, reader) -> values.put(name, reader.string()));
            return values;
        }

        /** An array of objects, each read by {@code element}. */
        <T> List<T> objects(ElementReader<T> element) throws IOException {
            expect(JsonToken.START_ARRAY);
            List<T> values = new ArrayList<>();
            for (JsonToken token = in.nextToken(); token != JsonToken.END_ARRAY; token = in.nextToken()) {
                if (token != JsonToken.START_OBJECT) {
                    throw new IOException("expected an object, got " + token);
                }
                values.add(element.read(this));
            }
            return values;
        }

        /** A map of DynamoDB attribute values. */
        Map<String, AttributeValue> attributes() throws IOException {
            expect(JsonToken.START_OBJECT);
            Map<String, AttributeValue> values = new LinkedHashMap<>();
            fields((name, reader) -> values.put(name, reader.attribute()));
            return values;
        }

        private AttributeValue attribute() throws IOException {
            expect(JsonToken.START_OBJECT);
            AttributeValue value = null;
            for (JsonToken token = in.nextToken(); token != JsonToken.END_OBJECT; token = in.nextToken()) {
                String type = in.currentName();
                in.nextToken();
                value = switch (type) {
                    case "S" -> AttributeValue.fromS(in.getText());
                    case "N" -> AttributeValue.fromN(in.getText());
                    case "B" -> AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(Base64.getDecoder().decode(in.getText())));
                    case "BOOL" -> AttributeValue.fromBool(in.getBooleanValue());
                    case "NULL" -> AttributeValue.fromNul(in.getBooleanValue());
                    case "SS" -> AttributeValue.fromSs(strings());
                    case "NS" -> AttributeValue.fromNs(strings());
                    case "BS" -> AttributeValue.fromBs(strings().stream()
                            .map(s -> SdkBytes.fromByteArrayUnsafe(Base64.getDecoder().decode(s))).toList());
                    case "M" -> AttributeValue.fromM(attributes());
                    case "L" -> {
                        expect(JsonToken.START_ARRAY);
                        List<AttributeValue> list = new ArrayList<>();
                        while (in.nextToken() != JsonToken.END_ARRAY) {
                            list.add(attribute());
                        }
                        yield AttributeValue.fromL(list);
                    }
                    default -> throw new IOException("unknown attribute value type " + type);
                };
            }
            if (value == null) {
                throw new IOException("an attribute value without a type");
            }
            return value;
        }

        /** An array of strings. */
        List<String> strings() throws IOException {
            expect(JsonToken.START_ARRAY);
            List<String> values = new ArrayList<>();
            while (in.nextToken() != JsonToken.END_ARRAY) {
                values.add(in.getText());
            }
            return values;
        }

        private void expect(JsonToken token) throws IOException {
            if (in.currentToken() != token) {
                throw new IOException("expected " + token + ", got " + in.currentToken());
            }
        }
    }

    /** Reads one element (an object, positioned on its start) of an array. */
    @FunctionalInterface
    interface ElementReader<T> {
        T read(Reader in) throws IOException;
    }
}
