package ai.phoneagent.templatechecks;

import static ai.phoneagent.templatechecks.Template.list;
import static ai.phoneagent.templatechecks.Template.map;
import static ai.phoneagent.templatechecks.Template.string;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates intrinsic functions as if the template were deployed as stack {@value #STACK} in {@value #REGION}
 * of account {@value #ACCOUNT} with every parameter at its default: each resource gets a plausible, stable physical
 * id, ARN and URL. Good enough to compare values (an IAM policy's resource with a queue's ARN) and to build the
 * environment a part would start with; not a CloudFormation emulator.
 */
public final class FakeStack {
    public static final String STACK = "phone-agent";
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "123456789012";

    /** Thrown for values this evaluator cannot reduce to a string. */
    public static final class Unresolvable extends RuntimeException {
        Unresolvable(String message) {
            super(message);
        }
    }

    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    private final Template template;

    public FakeStack(Template template) {
        this.template = template;
    }

    /** The value as a string, or null when it evaluates to {@code AWS::NoValue}. */
    public String resolve(Object value) {
        Object result = evaluate(value);
        if (result == null) {
            return null;
        }
        if (result instanceof List<?> items) {
            List<String> parts = new ArrayList<>();
            items.forEach(item -> parts.add(String.valueOf(item)));
            return String.join(",", parts);
        }
        return String.valueOf(result);
    }

    /** Evaluates to a String, a List of Strings, or null for {@code AWS::NoValue}. */
    private Object evaluate(Object value) {
        String scalar = string(value);
        if (scalar != null) {
            return scalar;
        }
        if (value instanceof List<?> items) {
            List<Object> out = new ArrayList<>();
            for (Object item : items) {
                Object v = evaluate(item);
                if (v != null) {
                    out.add(v);
                }
            }
            return out;
        }
        Map<String, Object> fn = map(value);
        if (fn.size() != 1) {
            throw new Unresolvable("not a value: " + value);
        }
        var entry = fn.entrySet().iterator().next();
        Object arg = entry.getValue();
        return switch (entry.getKey()) {
            case "Ref" -> ref(string(arg));
            case "Fn::GetAtt" -> getAtt(string(list(arg).get(0)), string(list(arg).get(1)));
            case "Fn::Sub" -> sub(arg);
            case "Fn::Join" -> {
                String separator = string(list(arg).get(0));
                List<String> parts = new ArrayList<>();
                for (Object item : list(evaluate(list(arg).get(1)))) {
                    parts.add(String.valueOf(item));
                }
                yield String.join(separator, parts);
            }
            case "Fn::Select" -> {
                int index = Integer.parseInt(resolve(list(arg).get(0)));
                yield list(evaluate(list(arg).get(1))).get(index);
            }
            case "Fn::Split" -> List.of(resolve(list(arg).get(1)).split(Pattern.quote(resolve(list(arg).get(0))), -1));
            case "Fn::If" -> condition(string(list(arg).get(0))) ? evaluate(list(arg).get(1)) : evaluate(list(arg).get(2));
            case "Fn::FindInMap" -> {
                Object found = Template.at(template.section("Mappings"), resolve(list(arg).get(0)),
                        resolve(list(arg).get(1)), resolve(list(arg).get(2)));
                if (found == null) {
                    throw new Unresolvable("no mapping entry for " + arg);
                }
                yield evaluate(found);
            }
            default -> throw new Unresolvable("cannot evaluate " + entry.getKey());
        };
    }

    private Object ref(String name) {
        switch (name) {
            case "AWS::Region":
                return REGION;
            case "AWS::AccountId":
                return ACCOUNT;
            case "AWS::Partition":
                return "aws";
            case "AWS::StackName":
                return STACK;
            case "AWS::URLSuffix":
                return "amazonaws.com";
            case "AWS::NoValue":
                return null;
            default:
                break;
        }
        Map<String, Object> parameter = map(template.parameters().get(name));
        if (!parameter.isEmpty()) {
            Object fallback = parameter.get("Default");
            if (fallback == null) {
                return "param-" + name; // no default: the operator must give one
            }
            String text = string(fallback);
            return text != null && String.valueOf(parameter.get("Type")).startsWith("List<")
                    ? List.of(text.split(",", -1)) : text;
        }
        String type = template.type(name);
        if (type == null) {
            throw new Unresolvable("Ref to unknown '" + name + "'");
        }
        return switch (type) {
            case "AWS::SQS::Queue" -> "https://sqs." + REGION + ".amazonaws.com/" + ACCOUNT + "/" + physical(name);
            case "AWS::SecretsManager::Secret" -> arn("secretsmanager", "secret:" + physical(name) + "-AbCdEf");
            case "AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api" -> name.toLowerCase(Locale.ROOT) + "0id";
            case "AWS::EC2::SecurityGroup" -> "sg-" + name.toLowerCase(Locale.ROOT);
            default -> physical(name);
        };
    }

    private Object getAtt(String resource, String attribute) {
        String type = template.type(resource);
        if (type == null) {
            throw new Unresolvable("GetAtt of unknown resource '" + resource + "'");
        }
        String key = type + "." + attribute;
        return switch (key) {
            case "AWS::SQS::Queue.Arn" -> arn("sqs", physical(resource));
            case "AWS::SQS::Queue.QueueName" -> physical(resource);
            case "AWS::SQS::Queue.QueueUrl" -> ref(resource);
            case "AWS::DynamoDB::Table.Arn" -> arn("dynamodb", "table/" + physical(resource));
            case "AWS::Logs::LogGroup.Arn" -> arn("logs", "log-group:" + physical(resource) + ":*");
            case "AWS::IAM::Role.Arn" -> "arn:aws:iam::" + ACCOUNT + ":role/" + physical(resource);
            case "AWS::ECS::Service.Name" -> physical(resource);
            case "AWS::EC2::SecurityGroup.GroupId" -> ref(resource);
            case "AWS::Serverless::Function.Arn" -> arn("lambda", "function:" + physical(resource));
            default -> resource + "." + attribute;
        };
    }

    private Object sub(Object arg) {
        String text;
        Map<String, Object> variables;
        if (arg instanceof List<?> args) {
            text = string(args.get(0));
            variables = map(args.get(1));
        } else {
            text = string(arg);
            variables = Map.of();
        }
        if (text == null) {
            throw new Unresolvable("Fn::Sub needs a string");
        }
        Matcher m = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String replacement;
            if (name.startsWith("!")) {
                replacement = "${" + name.substring(1) + "}";
            } else if (variables.containsKey(name)) {
                replacement = resolve(variables.get(name));
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                int dot = name.indexOf('.');
                replacement = String.valueOf(getAtt(name.substring(0, dot), name.substring(dot + 1)));
            } else {
                replacement = String.valueOf(ref(name));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private boolean condition(String name) {
        Object definition = template.section("Conditions").get(name);
        if (definition == null) {
            throw new Unresolvable("unknown condition '" + name + "'");
        }
        return truth(definition);
    }

    private boolean truth(Object definition) {
        Map<String, Object> fn = map(definition);
        if (fn.size() != 1) {
            throw new Unresolvable("not a condition: " + definition);
        }
        var entry = fn.entrySet().iterator().next();
        List<Object> args = list(entry.getValue());
        return switch (entry.getKey()) {
            case "Fn::Equals" -> String.valueOf(resolve(args.get(0))).equals(String.valueOf(resolve(args.get(1))));
            case "Fn::Not" -> !truth(args.get(0));
            case "Fn::And" -> args.stream().allMatch(this::truth);
            case "Fn::Or" -> args.stream().anyMatch(this::truth);
            case "Condition" -> condition(string(entry.getValue()));
            default -> throw new Unresolvable("cannot evaluate condition " + entry.getKey());
        };
    }

    /** The physical name CloudFormation would give a resource of this stack. */
    public static String physical(String logicalId) {
        return STACK + "-" + logicalId;
    }

    private static String arn(String service, String resource) {
        return "arn:aws:" + service + ":" + REGION + ":" + ACCOUNT + ":" + resource;
    }
}
