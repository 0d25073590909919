/** What the embedded index may write about a request: masked queries, no userinfo, no token. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { displayUrl, loggableTarget, maskFields, maskQuery, tokenMask } from "../../src/server/log-safety.ts";

describe("request targets in logs", () => {
  test("every query value is masked but format's; bare items are hidden whole", () => {
    assert.equal(maskQuery("?password=s3cret&format=text/html"), "?password=***&format=text/html");
    assert.equal(
      maskQuery("?Api_Key=x&ACCESS_TOKEN=y&q=pypi-AgEIcHlwaS5vcmc"),
      "?Api_Key=***&ACCESS_TOKEN=***&q=***",
    );
    assert.equal(maskQuery("?s3cret-alone&&"), "?***&&");
    assert.equal(maskQuery("?%46ormat=json"), "?%46ormat=json", "an encoded key is still the format key");
    assert.equal(maskQuery(""), "");
  });

  test("absolute-form targets lose scheme, host and userinfo; unparseable ones are not shown", () => {
    assert.equal(loggableTarget("/simple/?token=abc"), "/simple/?token=***");
    assert.equal(loggableTarget("http://__token__:abc@h:1/legacy/?auth=abc"), "/legacy/?auth=***");
    assert.equal(loggableTarget("//evil/x?k=v"), "//evil/x?k=***");
    assert.equal(loggableTarget("http://[::1"), "(malformed request target)");
  });

  test("an upstream URL shows without userinfo and with its query masked", () => {
    assert.equal(
      displayUrl("https://u:p@pypi.example/simple/?token=t#frag"),
      "https://pypi.example/simple/?token=***",
    );
    assert.equal(displayUrl("https://pypi.org/simple/"), "https://pypi.org/simple/");
  });
});

describe("the token mask", () => {
  const token = "a/b+c=d e";
  const mask = tokenMask(token);

  test("masks the token as given, percent-encoded in either case, form-encoded and in Basic credentials", () => {
    const basic = Buffer.from(`__token__:${token}`).toString("base64");
    const text = `x ${token} ${encodeURIComponent(token)} ${encodeURIComponent(token).toLowerCase()} ${basic}`;
    assert.equal(mask(text), "x *** *** *** ***");
    assert.equal(mask(`q=${encodeURIComponent(token).replaceAll("%20", "+")}`), "q=***");
  });

  test("a text that holds the token in an encoding no list has is withheld whole", () => {
    assert.equal(mask("/files/a/b%2Bc%3Dd%20e"), "(withheld: it held the index's token)");
    assert.equal(mask("nothing to hide"), "nothing to hide");
  });

  test("applies to every string field of an event", () => {
    const event = { type: "warning", message: `bad ${token}`, status: 3 };
    assert.deepEqual(maskFields(event, mask), { type: "warning", message: "bad ***", status: 3 });
  });
});
