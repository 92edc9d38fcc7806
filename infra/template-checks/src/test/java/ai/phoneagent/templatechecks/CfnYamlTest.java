package ai.phoneagent.templatechecks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CfnYamlTest {
    @Test
    void shortTagsBecomeTheirLongForms() {
        Map<String, Object> doc = CfnYaml.parse("""
                a: !Ref Thing
                b: !GetAtt Queue.Arn
                c: !GetAtt [Queue, QueueName]
                d: !Sub "arn:${AWS::Partition}:sqs:${AWS::Region}"
                e: !Sub ["${x}-y", {x: !Ref Name}]
                f: !Join [",", [a, !Ref B]]
                g: !If [IsProd, !Select [0, !Split [",", !Ref L]], !Ref AWS::NoValue]
                h: !Equals [!Ref P, prod]
                i: !Not [!Condition IsProd]
                j: !And [!Condition A, !Or [!Condition B, !Condition C]]
                k: !FindInMap [Sizes, !Ref Size, Cpu]
                l: !ImportValue other-stack-output
                m: !Base64 hello
                n: !Cidr [10.0.0.0/16, 4, 8]
                o: !GetAZs ''
                """);
        assertThat(doc.get("a")).isEqualTo(Map.of("Ref", "Thing"));
        assertThat(doc.get("b")).isEqualTo(Map.of("Fn::GetAtt", List.of("Queue", "Arn")));
        assertThat(doc.get("c")).isEqualTo(Map.of("Fn::GetAtt", List.of("Queue", "QueueName")));
        assertThat(doc.get("d")).isEqualTo(Map.of("Fn::Sub", "arn:${AWS::Partition}:sqs:${AWS::Region}"));
        assertThat(doc.get("e")).isEqualTo(Map.of("Fn::Sub", List.of("${x}-y", Map.of("x", Map.of("Ref", "Name")))));
        assertThat(doc.get("f")).isEqualTo(Map.of("Fn::Join", List.of(",", List.of("a", Map.of("Ref", "B")))));
        assertThat(doc.get("g")).isEqualTo(Map.of("Fn::If", List.of("IsProd",
                Map.of("Fn::Select", List.of(0, Map.of("Fn::Split", List.of(",", Map.of("Ref", "L"))))),
                Map.of("Ref", "AWS::NoValue"))));
        assertThat(doc.get("h")).isEqualTo(Map.of("Fn::Equals", List.of(Map.of("Ref", "P"), "prod")));
        assertThat(doc.get("i")).isEqualTo(Map.of("Fn::Not", List.of(Map.of("Condition", "IsProd"))));
        assertThat(doc.get("j")).isEqualTo(Map.of("Fn::And", List.of(Map.of("Condition", "A"),
                Map.of("Fn::Or", List.of(Map.of("Condition", "B"), Map.of("Condition", "C"))))));
        assertThat(doc.get("k")).isEqualTo(Map.of("Fn::FindInMap", List.of("Sizes", Map.of("Ref", "Size"), "Cpu")));
        assertThat(doc.get("l")).isEqualTo(Map.of("Fn::ImportValue", "other-stack-output"));
        assertThat(doc.get("m")).isEqualTo(Map.of("Fn::Base64", "hello"));
        assertThat(doc.get("n")).isEqualTo(Map.of("Fn::Cidr", List.of("10.0.0.0/16", 4, 8)));
        assertThat(doc.get("o")).isEqualTo(Map.of("Fn::GetAZs", ""));
    }

    @Test
    void duplicateKeysAndBadGetAttAreRejected() {
        assertThatThrownBy(() -> CfnYaml.parse("a: 1\na: 2\n")).hasMessageContaining("duplicate key");
        assertThatThrownBy(() -> CfnYaml.parse("a: !GetAtt NoAttribute\n")).hasMessageContaining("Resource.Attribute");
    }

    @Test
    void theProjectTemplateParses() throws IOException {
        Template template = Template.load(CodeFacts.templateFile());
        assertThat(template.root().get("Transform")).isEqualTo("AWS::Serverless-2016-10-31");
        assertThat(template.resources()).containsKeys("WebhookFunction", "ControlFunction", "WorkerTaskDefinition",
                "CallsTable", "CallsQueue", "HttpApi");
    }

    @Test
    void theFakeStackEvaluatesTheIntrinsicsTheTemplateUses() throws IOException {
        Template template = Template.load(CodeFacts.templateFile());
        FakeStack stack = new FakeStack(template);
        assertThat(stack.resolve(Map.of("Fn::Sub", "${CallsTable.Arn}/index/*")))
                .isEqualTo("arn:aws:dynamodb:us-east-1:123456789012:table/phone-agent-CallsTable/index/*");
        assertThat(stack.resolve(Map.of("Ref", "CallsQueue")))
                .isEqualTo("https://sqs.us-east-1.amazonaws.com/123456789012/phone-agent-CallsQueue");
        assertThat(stack.resolve(template.properties("WorkerTaskDefinition").get("Cpu"))).isEqualTo("1024");
        assertThat(stack.resolve(template.properties("WorkerTaskDefinition").get("Memory"))).isEqualTo("2048");
    }
}
