// stagesim plays the sandbox's KWOK stages on a pod without a cluster, with kwok's own code (stage selectors,
// Go templates, strategic merge patches), so that test/unit/stages.test.ts can follow a pod through its life.
//
// Usage: stagesim STAGES.yaml POD.json STEPS
// For each step it prints the names of every stage that matches the pod, then applies the first one's status
// patch; it stops early when no stage matches. Output: a JSON array of {matches, pod}.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"sigs.k8s.io/kwok/pkg/apis/internalversion"
	"sigs.k8s.io/kwok/pkg/apis/v1alpha1"
	"sigs.k8s.io/kwok/pkg/utils/gotpl"
	"sigs.k8s.io/kwok/pkg/utils/lifecycle"
	"sigs.k8s.io/yaml"
)

type step struct {
	Matches []string       `json:"matches"`
	Pod     map[string]any `json:"pod,omitempty"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "stagesim:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 4 {
		return fmt.Errorf("usage: stagesim STAGES.yaml POD.json STEPS")
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		return err
	}
	var stages []*internalversion.Stage
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var s v1alpha1.Stage
		if err := yaml.UnmarshalStrict([]byte(doc), &s); err != nil {
			return err
		}
		if s.Spec.ResourceRef.Kind != "Pod" {
			continue
		}
		internal, err := internalversion.ConvertToInternalStage(&s)
		if err != nil {
			return err
		}
		stages = append(stages, internal)
	}
	lc, err := lifecycle.NewLifecycle(stages)
	if err != nil {
		return err
	}
	podData, err := os.ReadFile(os.Args[2])
	if err != nil {
		return err
	}
	steps, err := strconv.Atoi(os.Args[3])
	if err != nil {
		return err
	}
	// The pod controller's own template functions, with the values the sandbox's nodes give them.
	renderer := gotpl.NewRenderer(gotpl.FuncMap{
		"PodIPWith":  func(...any) string { return "239.64.0.5" },
		"NodeIPWith": func(...any) string { return "127.0.0.1" },
	})
	ctx := context.Background()
	var out []step
	for i := 0; i < steps; i++ {
		var pod corev1.Pod
		if err := json.Unmarshal(podData, &pod); err != nil {
			return err
		}
		all, err := lc.ListAllPossible(ctx, &lifecycle.Event{Labels: pod.Labels, Annotations: pod.Annotations, Data: &pod})
		if err != nil {
			return err
		}
		names := []string{}
		for _, s := range all {
			names = append(names, s.Name())
		}
		if len(all) == 0 {
			out = append(out, step{Matches: names})
			break
		}
		_, err = all[0].DoSteps(0, pod.Finalizers, &pod, renderer,
			func(*internalversion.StageEvent) error { return nil },
			func() error { return nil },
			func(p *lifecycle.Patch) error {
				next, err := strategicpatch.StrategicMergePatch(podData, p.Data, corev1.Pod{})
				if err != nil {
					return fmt.Errorf("stage %s: %w: %s", all[0].Name(), err, p.Data)
				}
				podData = next
				return nil
			},
			func(*lifecycle.Apply) error { return nil })
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(podData, &m); err != nil {
			return err
		}
		out = append(out, step{Matches: names, Pod: m})
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}
