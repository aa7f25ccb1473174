import { describe, expect, it } from 'vitest';
import { csv, csvField, md, mdLink, safeUrl } from '../src/render/index.js';

describe('untrusted text in CSV and Markdown', () => {
  it('quotes CSV fields per RFC 4180 and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "yes"')).toBe('"say ""yes"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    for (const bad of ['+1', '-1+2', '@SUM(A1)', '\tx']) expect(csvField(bad).replace(/^"/, '')[0]).toBe("'");
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
    expect(csv(['a', 'b'], [[1, 'x']])).toBe('\uFEFFa,b\r\n1,x\r\n');
  });

  it('shows Markdown-looking text literally and links only http(s)', () => {
    expect(md('<script>alert(1)</script> **bold** [x](javascript:alert(1)) a|b')).toBe('\\<script\\>alert(1)\\</script\\> \\*\\*bold\\*\\* \\[x\\](javascript:alert(1)) a\\|b');
    expect(md('&amp; stays text')).toBe('&amp;amp; stays text');
    expect(mdLink('Title', 'javascript:alert(1)')).toBe('Title (javascript:alert(1))');
    expect(mdLink('Title', 'https://example.org/x?a=(1)')).toBe('[Title](<https://example.org/x?a=(1)>)');
    expect(mdLink('Title', 'https://example.org/a b')).toBe('Title (https://example.org/a b)');
    expect(safeUrl('HTTPS://example.org/x')).toBe('HTTPS://example.org/x');
    expect(safeUrl('data:text/html,<b>')).toBeUndefined();
  });
});
