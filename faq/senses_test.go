package faq

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// storagePage is a storage product's FAQ in both languages, whose English
// says "file" of files, with one entry about filing a website.
func storagePage(filingInZh int) string {
	var b strings.Builder
	b.WriteString("# Storage FAQ {#concept_s .concept}\n\n")
	zh := []string{"如何上传大于5 GB的文件？", "文件上传失败怎么办？", "如何删除存储桶？", "如何设置跨域访问？", "下载速度慢怎么办？",
		"如何查看存储用量？", "如何设置生命周期规则？", "如何开启版本控制？", "如何绑定自定义域名？", "如何设置防盗链？",
		"如何批量删除对象？", "如何恢复已删除的数据？", "如何压缩图片？", "如何配置回源？", "如何查看访问日志？",
		"如何设置读写权限？", "如何使用签名链接？", "如何迁移数据？", "如何设置加密？", "如何计费？"}
	en := []string{"How do I upload a file larger than 5 GB?", "What do I do when a file upload fails?", "Which file types can I preview?",
		"How do I rename a file?", "How do I share a file with a signed URL?", "Why is my file download slow?", "How do I restore a deleted file?",
		"How do I copy a file between buckets?", "Can I append to an existing file?", "How do I list the files in a folder?",
		"How do I delete a bucket?", "How do I enable versioning?", "How do I bind a custom domain name?", "How do I configure hotlink protection?",
		"How do I view access logs?", "How do I set read and write permissions?", "How do I migrate data?", "How do I enable encryption?",
		"How am I billed?", "How do I configure back-to-origin?"}
	for i, q := range zh {
		if i < filingInZh {
			q = "备案" + q
		}
		fmt.Fprintf(&b, "## %s {#section_z%d .section}\n\n答案%d。\n\n", q, i, i)
	}
	for i, q := range en {
		fmt.Fprintf(&b, "## %s {#section_e%d .section}\n\nAnswer %d.\n\n", q, i, i)
	}
	b.WriteString("## 网站需要备案吗？ {#section_icp .section}\n\n使用中国内地的存储桶绑定域名提供网站服务，域名需要备案。\n\n")
	return b.String()
}

func TestOtherSenses(t *testing.T) {
	ix := loadPage(t, storagePage(0))
	if got := otherSenses(ix.entries, embeddedLexiconOrFail(t), ix.f); !slices.Contains(got, stem("file")) {
		t.Errorf("storage FAQ: words read as themselves %v, want %q among them", got, stem("file"))
	}
	// Questions and entries alike read it as itself; "ICP filing" is still
	// filing.
	if got := ix.an.analyze("upload a file", nil, nil); !slices.Contains(got, stem("file")) || slices.Contains(got, "备案") {
		t.Errorf("storage FAQ reads %q as %v", "upload a file", got)
	}
	if got := ix.an.analyze("icp filing", nil, nil); !slices.Contains(got, "备案") {
		t.Errorf("storage FAQ reads %q as %v", "icp filing", got)
	}
	wantBest(t, ix, map[string]string{"file larger than 5GB upload": "section_e0", "does the website need ICP filing": "section_icp"})
	// A filing FAQ whose Chinese names 备案 as often keeps "file" as filing.
	ix = loadPage(t, storagePage(20))
	if got := otherSenses(ix.entries, embeddedLexiconOrFail(t), ix.f); slices.Contains(got, stem("file")) {
		t.Errorf("filing FAQ: %q read as itself %v", "file", got)
	}
	if got := ix.an.analyze("upload a file", nil, nil); !slices.Contains(got, "备案") {
		t.Errorf("filing FAQ reads %q as %v", "upload a file", got)
	}
	// Too few entries of a language say nothing: the seed keeps the lexicon.
	seed := loadEval(t, "", Options{})
	if got := otherSenses(seed.entries, seed.lx, seed.f); len(got) != 0 {
		t.Errorf("seed FAQ: %v read as themselves", got)
	}
}

func embeddedLexiconOrFail(t *testing.T) *lexicon {
	t.Helper()
	lx, err := embeddedLexicon()
	if err != nil {
		t.Fatal(err)
	}
	return lx
}

func TestExplainOwnSense(t *testing.T) {
	ix := loadPage(t, storagePage(0))
	if got := ix.Explain("Upload a FILE, then files").OwnSense; !slices.Equal(got, []string{"file", "files"}) {
		t.Errorf("OwnSense %v, want [file files]", got)
	}
	if got := ix.Explain("icp filing").OwnSense; len(got) != 0 {
		t.Errorf("OwnSense of a phrase of the lexicon %v, want none", got)
	}
}
