package ai.phoneagent.templatechecks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a CloudFormation/SAM YAML template into plain maps, lists and scalars, turning the short intrinsic tags
 * ({@code !Ref x}, {@code !GetAtt a.b}, {@code !Sub …}) into their long JSON form ({@code {"Ref": "x"}},
 * {@code {"Fn::GetAtt": ["a", "b"]}}, {@code {"Fn::Sub": …}}), as CloudFormation itself does. Duplicate keys are
 * rejected, as CloudFormation rejects them.
 */
public final class CfnYaml {
    /** Short tag to long form; {@code !Ref} and {@code !Condition} are not {@code Fn::} functions. */
    static final Map<String, String> TAGS = tags();

    private CfnYaml() {
    }

    private static Map<String, String> tags() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("!Ref", "Ref");
        tags.put("!Condition", "Condition");
        for (String fn : List.of("GetAtt", "Sub", "Join", "If", "Equals", "Select", "Split", "Not", "And", "Or",
                "FindInMap", "ImportValue", "Base64", "Cidr", "GetAZs", "Transform", "Length", "ToJsonString")) {
            tags.put("!" + fn, "Fn::" + fn);
        }
        return Map.copyOf(tags);
    }

    /** Parses a template file. */
    public static Map<String, Object> load(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Parses template text; the top level must be a mapping. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object root = new Yaml(new Constructor(options)).load(text);
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("a template must be a YAML mapping at the top level");
        }
        return (Map<String, Object>) map;
    }

    private static final class Constructor extends SafeConstructor {
        Constructor(LoaderOptions options) {
            super(options);
            TAGS.forEach((tag, longForm) -> yamlConstructors.put(new Tag(tag), new Intrinsic(longForm)));
        }

        private final class Intrinsic extends AbstractConstruct {
            private final String longForm;

            Intrinsic(String longForm) {
                this.longForm = longForm;
            }

            @Override
            public Object construct(Node node) {
                Object value = switch (node) {
                    case ScalarNode scalar -> constructScalar(scalar);
                    case SequenceNode sequence -> new ArrayList<>(constructSequence(sequence));
                    case MappingNode mapping -> new LinkedHashMap<>(constructMapping(mapping));
                    default -> throw new IllegalArgumentException("unsupported node for " + longForm);
                };
                if (longForm.equals("Fn::GetAtt") && value instanceof String dotted) {
                    int dot = dotted.indexOf('.');
                    if (dot <= 0 || dot == dotted.length() - 1) {
                        throw new IllegalArgumentException("!GetAtt needs Resource.Attribute, got '" + dotted + "'");
                    }
                    value = new ArrayList<>(List.of(dotted.substring(0, dot), dotted.substring(dot + 1)));
                }
                Map<String, Object> intrinsic = new LinkedHashMap<>();
                intrinsic.put(longForm, value);
                return intrinsic;
            }
        }
    }
}
