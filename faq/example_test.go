package faq_test

import (
	"fmt"

	"github.com/beianbot/beianbot/faq"
)

func ExampleIndex_Match() {
	ix, err := faq.LoadEmbedded(faq.Options{})
	if err != nil {
		panic(err)
	}
	r := ix.Match("香港服务器要备案吗")
	fmt.Println(r.Answered, r.Best.Entry.ID, r.Lang)
	// Output: true section_cym_mzr_zdb zh
}

func ExampleIndex_Match_unsure() {
	ix, err := faq.LoadEmbedded(faq.Options{})
	if err != nil {
		panic(err)
	}
	r := ix.Match("今天天气怎么样")
	fmt.Println(r.Answered)
	// Output: false
}

func ExampleLoad() {
	ix, err := faq.Load([]string{"testdata/docs"}, faq.Options{DocsBaseURL: "https://help.example.com/"})
	if err != nil {
		panic(err)
	}
	e := ix.Lookup("section_aaa", "en")
	fmt.Println(e.Question)
	// Output: Do I need filing for an overseas server?
}
