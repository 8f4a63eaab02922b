import { describe, expect, test } from "bun:test";
import { baseUrlProblems } from "./check-url.ts";

describe("baseUrlProblems()", () => {
  test.each([
    "http://127.0.0.1:8000",
    "https://api.example.com",
    "http://[::1]:8000/",
    "http://h:8000/prefix",
    "http://user:pass@h:1",
    "http://h:65535",
  ])("accepts %s", (url) => {
    expect(baseUrlProblems(url)).toEqual([]);
  });

  test.each([
    ["localhost:8000", 'expected a URL starting with http:// or https://, got "localhost:8000"'],
    ["ftp://h", '(scheme "ftp")'],
    ["http://h:99999", 'expected a port from 1 to 65535, got "http://h:99999" (port "99999")'],
    ["http://h:0", '(port "0")'],
    ["http://h:abc", '(port "abc")'],
    ["http://:80", 'expected a host name after "http://"'],
    ["http://h:8000?x=1", "expected no query or fragment"],
    ["http://h:8000\r\nX-Injected: 1", "expected a URL without spaces, tabs or line breaks"],
    ["http://h:8000/v1", 'use "http://h:8000"'],
    ["http://h:8000/api/v1/", 'use "http://h:8000/api"'],
  ])("refuses %j", (url, message) => {
    const problems = baseUrlProblems(url);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  test("suggests the scheme for a bare host and port", () => {
    expect(baseUrlProblems("localhost:8000")[0]).toContain('did you mean "http://localhost:8000"?');
  });

  test("never shows the password of a URL it refuses", () => {
    const [problem] = baseUrlProblems("ftp://admin:hunter2@h");
    expect(problem).not.toContain("hunter2");
  });
});
