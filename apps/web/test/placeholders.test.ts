import { describe, expect, it } from "vitest";
import { placeholdersIn, unfilledPlaceholders, unknownPlaceholders } from "../src/lib/placeholders";

describe("template placeholders", () => {
  it("lists the placeholders a text uses, once each", () => {
    expect(placeholdersIn("{{customer.name}} 様\n担当 {{ agent.name }}、{{customer.name}}")).toEqual([
      "customer.name",
      "agent.name",
    ]);
  });

  it("finds what was left unfilled in subject and body", () => {
    expect(unfilledPlaceholders("Re: ご注文", "山田様\nいつもありがとうございます。")).toEqual([]);
    expect(unfilledPlaceholders("Re: {{conversation.subject}}", "{{customer.name}} 様")).toEqual([
      "conversation.subject",
      "customer.name",
    ]);
  });

  it("flags placeholders the server does not know", () => {
    expect(
      unknownPlaceholders("{{customer.name}} {{customer.phone}}", ["customer.name", "agent.name"]),
    ).toEqual(["customer.phone"]);
  });
});
